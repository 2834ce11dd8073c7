"""Python coding tasks: write a function, explain a snippet, or fix a bug; real code in answers."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .records import Example

FENCE = "`" * 3


@dataclass(frozen=True)
class CodeTask:
    asks: tuple[str, ...]      # phrasings; {fn} is the function name, {k} the parameter
    names: tuple[str, ...]     # function names to choose from
    code: str                  # the solution; {fn} and {k} are filled in
    explain: str               # one or two sentences about how it works
    example: str               # a usage line; {fn} and {k} are filled in
    params: tuple[int, ...] = (0,)


TASKS = [
    CodeTask(("Write a Python function `{fn}` that counts the vowels in a string.",
              "I need a Python function called {fn} that returns how many vowels a word has."),
             ("count_vowels", "vowel_count", "num_vowels"),
             "def {fn}(text):\n    return sum(1 for ch in text.lower() if ch in \"aeiou\")",
             "It lower-cases the text and counts the characters that are one of a, e, i, o, u.",
             "print({fn}(\"Programming\"))  # 3"),
    CodeTask(("Write a Python function `{fn}` that checks whether a string is a palindrome, "
              "ignoring case and spaces.",
              "How do I check if a sentence is a palindrome in Python? Call the function {fn}."),
             ("is_palindrome", "palindrome", "check_palindrome"),
             "def {fn}(text):\n    cleaned = \"\".join(ch.lower() for ch in text if ch.isalnum())\n"
             "    return cleaned == cleaned[::-1]",
             "It keeps only letters and digits, lower-cases them and compares the string with its "
             "reverse.",
             "print({fn}(\"Never odd or even\"))  # True"),
    CodeTask(("Write FizzBuzz in Python up to {k}.",
              "Create a Python function {fn}(n) that prints the numbers 1 to n, but prints Fizz "
              "for multiples of 3, Buzz for multiples of 5 and FizzBuzz for both. Run it for {k}."),
             ("fizzbuzz", "fizz_buzz", "play_fizzbuzz"),
             "def {fn}(n):\n    for i in range(1, n + 1):\n        if i % 15 == 0:\n"
             "            print(\"FizzBuzz\")\n        elif i % 3 == 0:\n"
             "            print(\"Fizz\")\n"
             "        elif i % 5 == 0:\n            print(\"Buzz\")\n        else:\n"
             "            print(i)\n\n\n{fn}({k})",
             "Checking 15 first matters: a multiple of 15 is also a multiple of 3 and of 5.",
             "{fn}({k})", (15, 20, 30, 50, 100)),
    CodeTask(("Write a function {fn}(n) that returns the sum of the squares of 1..n.",
              "In Python, compute 1^2 + 2^2 + ... + n^2 with a function named {fn}."),
             ("sum_of_squares", "square_sum"),
             "def {fn}(n):\n    return sum(i * i for i in range(1, n + 1))",
             "A generator expression squares each number from 1 to n and sum adds them up. The "
             "closed form n(n+1)(2n+1)/6 gives the same result.",
             "print({fn}({k}))", (5, 10, 12, 20)),
    CodeTask(("Write a Python function {fn} that returns only the even numbers from a list.",
              "Filter a list of integers so only even values remain. Use a function called {fn}."),
             ("filter_even", "even_numbers", "keep_evens"),
             "def {fn}(numbers):\n    return [n for n in numbers if n % 2 == 0]",
             "A list comprehension keeps each number whose remainder modulo 2 is zero.",
             "print({fn}([1, 2, 3, 4, 5, 6]))  # [2, 4, 6]"),
    CodeTask(("Write a Python function {fn} that counts how often each word appears in a text.",
              "How can I get word frequencies from a string in Python? Name the function {fn}."),
             ("word_frequencies", "count_words", "word_counts"),
             "from collections import Counter\n\n\ndef {fn}(text):\n"
             "    words = text.lower().split()\n    return Counter(words)",
             "Counter builds a dictionary from each word to the number of times it occurs.",
             "print({fn}(\"the cat and the hat\").most_common(1))  # [('the', 2)]"),
    CodeTask(("Write a function {fn} that flattens a list of lists into one list.",
              "Python: turn [[1, 2], [3], [4, 5]] into [1, 2, 3, 4, 5] with a function {fn}."),
             ("flatten", "flatten_list"),
             "def {fn}(nested):\n    return [item for sub in nested for item in sub]",
             "The nested comprehension walks each inner list in order and collects its items.",
             "print({fn}([[1, 2], [3], [4, 5]]))  # [1, 2, 3, 4, 5]"),
    CodeTask(("Implement binary search in Python as a function {fn}(items, target) that returns "
              "the index or -1.",
              "Write an iterative binary search called {fn} for a sorted list."),
             ("binary_search", "find_index", "bsearch"),
             "def {fn}(items, target):\n    lo, hi = 0, len(items) - 1\n    while lo <= hi:\n"
             "        mid = (lo + hi) // 2\n        if items[mid] == target:\n"
             "            return mid\n        if items[mid] < target:\n            lo = mid + 1\n"
             "        else:\n            hi = mid - 1\n    return -1",
             "Each step halves the search range, so it runs in O(log n) time. The list must be "
             "sorted.",
             "print({fn}([2, 5, 8, 12, 16], 12))  # 3"),
    CodeTask(("Write a Python function {fn}(n) that returns the first n Fibonacci numbers.",
              "Generate the Fibonacci sequence in Python. I want a function {fn} that returns a "
              "list of the first n terms."),
             ("fibonacci", "fib_list", "first_fibonacci"),
             "def {fn}(n):\n    seq = []\n    a, b = 0, 1\n    for _ in range(n):\n"
             "        seq.append(a)\n        a, b = b, a + b\n    return seq",
             "Two variables hold the last two terms; each loop appends one and advances the pair.",
             "print({fn}({k}))", (5, 8, 10, 12)),
    CodeTask(("Write a recursive Python function {fn} that computes n factorial.",
              "Compute the factorial of a number in Python using a function named {fn}."),
             ("factorial", "fact"),
             "def {fn}(n):\n    if n < 0:\n        raise ValueError(\"n must be non-negative\")\n"
             "    return 1 if n <= 1 else n * {fn}(n - 1)",
             "The base case returns 1 for 0 and 1; otherwise n is multiplied by the factorial of "
             "n - 1. Negative input raises an error.",
             "print({fn}({k}))", (4, 5, 6, 7, 10)),
    CodeTask(("Write a Python function {fn} that reverses the order of words in a sentence.",
              "Reverse the words (not the letters) of a string in Python with a function {fn}."),
             ("reverse_words", "flip_words"),
             "def {fn}(sentence):\n    return \" \".join(reversed(sentence.split()))",
             "split breaks the sentence on whitespace, reversed flips the order and join puts it "
             "back together with single spaces.",
             "print({fn}(\"hello big world\"))  # world big hello"),
    CodeTask(("Remove duplicates from a list in Python but keep the original order. Call the "
              "function {fn}.",
              "Write {fn}(items) that drops repeated items while preserving order."),
             ("dedupe", "unique_in_order", "remove_duplicates"),
             "def {fn}(items):\n    seen = set()\n    result = []\n    for item in items:\n"
             "        if item not in seen:\n            seen.add(item)\n"
             "            result.append(item)\n    return result",
             "A set remembers what has been seen, so each membership check is O(1) and the whole "
             "function is O(n).",
             "print({fn}([3, 1, 3, 2, 1]))  # [3, 1, 2]"),
    CodeTask(("Write a Python function {fn} that splits a list into chunks of size {k}.",
              "How do I break a list into pieces of {k} elements each? Use a function {fn}."),
             ("chunk", "chunks", "split_into_chunks"),
             "def {fn}(items, size={k}):\n"
             "    return [items[i:i + size] for i in range(0, len(items), size)]",
             "range steps through the list {k} positions at a time and slicing takes each piece; "
             "the last chunk may be shorter.",
             "print({fn}(list(range(7))))", (2, 3, 4, 5)),
    CodeTask(("Write a Caesar cipher in Python: a function {fn}(text) that shifts letters by {k}.",
              "Implement {fn} to encrypt a message with a Caesar shift of {k}."),
             ("caesar", "caesar_encrypt", "shift_text"),
             "def {fn}(text, shift={k}):\n    out = []\n    for ch in text:\n"
             "        if ch.isalpha():\n"
             "            base = ord(\"A\") if ch.isupper() else ord(\"a\")\n"
             "            out.append(chr((ord(ch) - base + shift) % 26 + base))\n        else:\n"
             "            out.append(ch)\n    return \"\".join(out)",
             "Letters are shifted within their own case and wrap around with modulo 26; other "
             "characters pass through unchanged.",
             "print({fn}(\"Hello, World!\"))", (1, 3, 5, 7, 13)),
    CodeTask(("Write a Python function {fn}(n) that checks whether n is prime.",
              "Is there a simple way to test for prime numbers in Python? Write {fn}."),
             ("is_prime", "prime", "check_prime"),
             "def {fn}(n):\n    if n < 2:\n        return False\n    i = 2\n"
             "    while i * i <= n:\n        if n % i == 0:\n            return False\n"
             "        i += 1\n    return True",
             "Only divisors up to the square root of n need checking, which keeps it fast for "
             "moderate numbers.",
             "print([x for x in range(20) if {fn}(x)])"),
    CodeTask(("Write a Python function {fn}(a, b) that returns the greatest common divisor.",
              "Implement Euclid's algorithm in Python as {fn}."),
             ("gcd", "greatest_common_divisor"),
             "def {fn}(a, b):\n    while b:\n        a, b = b, a % b\n    return abs(a)",
             "Euclid's algorithm replaces the pair (a, b) by (b, a mod b) until b is zero.",
             "print({fn}(48, 18))  # 6"),
    CodeTask(("Write a Python function {fn} that swaps the keys and values of a dictionary.",
              "Invert a dict in Python (values become keys). Call it {fn}."),
             ("invert_dict", "swap_keys_values"),
             "def {fn}(mapping):\n    return {{value: key for key, value in mapping.items()}}",
             "A dict comprehension builds the reversed mapping. If two keys share a value, the "
             "last one wins.",
             "print({fn}({{\"a\": 1, \"b\": 2}}))  # {{1: 'a', 2: 'b'}}"),
    CodeTask(("Write a Python function {fn} that returns the second largest number in a list.",
              "Find the second biggest distinct value of a list in Python with {fn}."),
             ("second_largest", "runner_up"),
             "def {fn}(numbers):\n    distinct = sorted(set(numbers))\n    if len(distinct) < 2:\n"
             "        raise ValueError(\"need at least two distinct values\")\n"
             "    return distinct[-2]",
             "Converting to a set removes repeats, sorting puts the largest last, and the "
             "second-to-last element is the answer.",
             "print({fn}([4, 9, 9, 2, 7]))  # 7"),
    CodeTask(("Write a Python function {fn} that checks if two words are anagrams.",
              "Check whether two strings are anagrams of each other in Python. Name it {fn}."),
             ("are_anagrams", "is_anagram"),
             "def {fn}(a, b):\n    normalize = lambda s: sorted(s.replace(\" \", \"\").lower())\n"
             "    return normalize(a) == normalize(b)",
             "Two strings are anagrams when their sorted letters match, ignoring spaces and case.",
             "print({fn}(\"listen\", \"silent\"))  # True"),
    CodeTask(("Write a Python function {fn} that transposes a matrix given as a list of lists.",
              "Transpose a 2D list in Python with a function called {fn}."),
             ("transpose", "transpose_matrix"),
             "def {fn}(matrix):\n    return [list(row) for row in zip(*matrix)]",
             "zip(*matrix) groups the i-th element of every row, which is exactly the i-th column.",
             "print({fn}([[1, 2, 3], [4, 5, 6]]))  # [[1, 4], [2, 5], [3, 6]]"),
    CodeTask(("Implement a simple stack class in Python with push, pop and peek.",
              "Write a Python class {fn} that works as a LIFO stack."),
             ("Stack", "SimpleStack"),
             "class {fn}:\n    def __init__(self):\n        self._items = []\n\n"
             "    def push(self, item):\n        self._items.append(item)\n\n    def pop(self):\n"
             "        return self._items.pop()\n\n    def peek(self):\n"
             "        return self._items[-1]\n\n"
             "    def __len__(self):\n        return len(self._items)",
             "A Python list already supports O(1) append and pop at the end, so the class just "
             "wraps one.",
             "s = {fn}(); s.push(1); s.push(2); print(s.pop())  # 2"),
    CodeTask(("Write a Python function {fn}(path) that counts the lines in a text file.",
              "How do I count the number of lines in a file with Python? Use a function {fn}."),
             ("count_lines", "line_count"),
             "def {fn}(path):\n    with open(path, encoding=\"utf-8\") as fh:\n"
             "        return sum(1 for _ in fh)",
             "Iterating over the file object reads one line at a time, so even large files use "
             "little memory.",
             "print({fn}(\"notes.txt\"))"),
    CodeTask(("Write a Python function {fn}(path, column) that sums a numeric column in a CSV "
              "file.",
              "Using the csv module, add up all the values of one column. Call the function {fn}."),
             ("sum_column", "csv_column_total"),
             "import csv\n\n\ndef {fn}(path, column):\n    total = 0.0\n"
             "    with open(path, newline=\"\", encoding=\"utf-8\") as fh:\n"
             "        for row in csv.DictReader(fh):\n            total += float(row[column])\n"
             "    return total",
             "csv.DictReader maps each row to a dict keyed by the header, so the column can be "
             "read by name.",
             "print({fn}(\"sales.csv\", \"amount\"))"),
    CodeTask(("Write a Python function {fn} that capitalizes the first letter of every word.",
              "Title-case a sentence in Python without using str.title(). Name it {fn}."),
             ("capitalize_words", "title_case"),
             "def {fn}(sentence):\n"
             "    return \" \".join(w[:1].upper() + w[1:] for w in sentence.split())",
             "Each word gets its first character upper-cased while the rest is left as it was.",
             "print({fn}(\"the quick brown fox\"))  # The Quick Brown Fox"),
    CodeTask(("Write a Python function {fn} that returns the largest number in a list without "
              "using max().",
              "Find the maximum of a list manually in Python with a loop. Call it {fn}."),
             ("find_max", "largest"),
             "def {fn}(numbers):\n    if not numbers:\n        raise ValueError(\"empty list\")\n"
             "    best = numbers[0]\n    for n in numbers[1:]:\n        if n > best:\n"
             "            best = n\n    return best",
             "The loop keeps the biggest value seen so far and compares every later element with "
             "it.",
             "print({fn}([3, 17, 8, 11]))  # 17"),
    CodeTask(("Write a Python function {fn} that merges two dictionaries, summing values for "
              "shared keys.",
              "Combine two dicts of counts in Python so that common keys are added. Use {fn}."),
             ("merge_counts", "add_dicts"),
             "def {fn}(a, b):\n    merged = dict(a)\n    for key, value in b.items():\n"
             "        merged[key] = merged.get(key, 0) + value\n    return merged",
             "The result starts as a copy of the first dict and each value of the second is "
             "added on top.",
             "print({fn}({{\"x\": 1, \"y\": 2}}, {{\"y\": 3, \"z\": 4}}))"),
]

BUGGY = [
    ("def average(values):\n    return sum(values) / len(values) - 1",
     "def average(values):\n    return sum(values) / len(values)",
     "The original subtracts 1 from the result. The mean is just the sum divided by the count."),
    ("def last_item(items):\n    return items[len(items)]",
     "def last_item(items):\n    return items[len(items) - 1]",
     "Indexes run from 0 to len(items) - 1, so items[len(items)] raises IndexError. "
     "items[-1] also works."),
    ("for i in range(1, 10):\n    if i % 2 = 0:\n        print(i)",
     "for i in range(1, 10):\n    if i % 2 == 0:\n        print(i)",
     "A single = is assignment; a comparison needs ==."),
    ("def greet(name):\n    print(\"Hello, \" + name + \"!\"\n",
     "def greet(name):\n    print(\"Hello, \" + name + \"!\")\n",
     "The call to print is missing its closing parenthesis."),
    ("def add_item(item, items=[]):\n    items.append(item)\n    return items",
     "def add_item(item, items=None):\n    if items is None:\n        items = []\n"
     "    items.append(item)\n    return items",
     "The default list is created once and shared by every call, so items pile up. Use None "
     "as the default and create a new list inside."),
    ("count = 0\nfor word in words:\n    if word == \"yes\":\n        count + 1",
     "count = 0\nfor word in words:\n    if word == \"yes\":\n        count += 1",
     "count + 1 computes a value and throws it away; count += 1 updates the variable."),
    ("age = input(\"Age: \")\nif age > 18:\n    print(\"adult\")",
     "age = int(input(\"Age: \"))\nif age >= 18:\n    print(\"adult\")",
     "input returns a string, which cannot be compared with an int; convert it first. I also "
     "changed > to >= so that 18 counts as adult."),
    ("def is_even(n):\n    if n % 2 == 0:\n        return True\n    return False\n\n"
     "print(is_even(\"4\"))",
     "def is_even(n):\n    return n % 2 == 0\n\nprint(is_even(4))",
     "The call passes the string \"4\"; % on a string means formatting and raises an error. "
     "The function can also return the comparison directly."),
]

FIX_ASKS = ["Find and fix the bug in this Python code.", "Why doesn't this code work?",
            "This Python snippet has a bug. What is wrong and how do I fix it?",
            "Debug the following code."]
EXPLAIN_ASKS = ["Explain what this Python function does.", "What does this code do?",
                "Walk me through this Python code.", "Describe the following function in "
                "plain English."]


def _write_function(rng: random.Random, task: CodeTask) -> Example:
    fn, k = rng.choice(task.names), rng.choice(task.params)
    code = task.code.format(fn=fn, k=k)
    block = f"{FENCE}python\n{code}\n{FENCE}"
    style = rng.random()
    if style < 0.25:
        out = block
    elif style < 0.6:
        out = f"{block}\n\n{task.explain.format(k=k)}"
    else:
        lead = rng.choice(["Here is one way to do it:", "Sure, here's a function that does that:",
                           "Here's a straightforward implementation.", "You can write it like "
                           "this:"])
        out = (f"{lead}\n\n{block}\n\n{task.explain.format(k=k)}\n\nExample:\n\n"
               f"{FENCE}python\n{task.example.format(fn=fn, k=k)}\n{FENCE}")
    return Example(rng.choice(task.asks).format(fn=fn, k=k), "", out, "code_python")


def make_python_task(rng: random.Random) -> Example:
    mode = rng.random()
    if mode < 0.7:
        return _write_function(rng, rng.choice(TASKS))
    if mode < 0.85:
        task = rng.choice(TASKS)
        fn, k = rng.choice(task.names), rng.choice(task.params)
        code = task.code.format(fn=fn, k=k)
        kind = "class" if code.startswith("class") else "function"
        out = (f"This {kind} is `{fn}`. {task.explain.format(k=k)} For example, "
               f"`{task.example.format(fn=fn, k=k).split('  #')[0]}`.")
        return Example(rng.choice(EXPLAIN_ASKS), f"{FENCE}python\n{code}\n{FENCE}", out,
                       "code_python")
    broken, fixed, why = rng.choice(BUGGY)
    out = f"{why}\n\nFixed version:\n\n{FENCE}python\n{fixed}\n{FENCE}"
    return Example(rng.choice(FIX_ASKS), f"{FENCE}python\n{broken}\n{FENCE}", out, "code_python")
