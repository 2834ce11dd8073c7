"""SQL questions over a few small schemas, answered with a query and a short explanation."""

from __future__ import annotations

import random

from .records import Example

FENCE = "`" * 3

SCHEMAS = {
    "employees": "employees(id INTEGER, name TEXT, department TEXT, salary NUMERIC, "
                 "hire_date DATE)",
    "orders": "customers(id INTEGER, name TEXT, country TEXT)\n"
              "orders(id INTEGER, customer_id INTEGER, order_date DATE, total NUMERIC)",
    "students": "students(id INTEGER, name TEXT, grade_level INTEGER)\n"
                "scores(student_id INTEGER, subject TEXT, score INTEGER)",
    "books": "authors(id INTEGER, name TEXT, birth_year INTEGER)\n"
             "books(id INTEGER, title TEXT, author_id INTEGER, published INTEGER, pages INTEGER)",
    "products": "products(id INTEGER, name TEXT, category TEXT, price NUMERIC, stock INTEGER)",
}
DEPARTMENTS = ["Sales", "Engineering", "Marketing", "Finance", "Support", "Legal"]
COUNTRIES = ["Canada", "Germany", "Brazil", "Japan", "Kenya", "Spain", "India"]
SUBJECTS = ["math", "physics", "history", "art", "biology"]
CATEGORIES = ["kitchen", "garden", "toys", "electronics", "office"]


def _employee_queries(rng: random.Random) -> list[tuple[str, str, str]]:
    dept, pay, year = rng.choice(DEPARTMENTS), rng.choice([50000, 60000, 75000, 90000]), \
        rng.randint(2015, 2023)
    n = rng.randint(3, 10)
    return [
        (f"List the names of all employees in the {dept} department.",
         f"SELECT name\nFROM employees\nWHERE department = '{dept}';",
         "The WHERE clause keeps only rows whose department matches."),
        (f"Find employees who earn more than {pay:,}.",
         f"SELECT name, salary\nFROM employees\nWHERE salary > {pay}\nORDER BY salary DESC;",
         "Rows are filtered on salary and sorted from the highest earner down."),
        ("What is the average salary in each department?",
         "SELECT department, AVG(salary) AS avg_salary\nFROM employees\nGROUP BY department;",
         "GROUP BY makes one group per department and AVG is computed within each group."),
        (f"Who are the {n} most recently hired employees?",
         f"SELECT name, hire_date\nFROM employees\nORDER BY hire_date DESC\nLIMIT {n};",
         "Sorting by hire_date descending puts the newest hires first and LIMIT keeps the top "
         f"{n}."),
        (f"How many people were hired in {year}?",
         f"SELECT COUNT(*) AS hires\nFROM employees\n"
         f"WHERE hire_date >= '{year}-01-01' AND hire_date < '{year + 1}-01-01';",
         "A half-open date range covers the whole year and still lets an index on hire_date "
         "be used."),
        (f"Give everyone in {dept} a 5% raise.",
         f"UPDATE employees\nSET salary = salary * 1.05\nWHERE department = '{dept}';",
         "UPDATE changes the matching rows in place. Run it inside a transaction if you want "
         "to check the result before committing."),
    ]


def _order_queries(rng: random.Random) -> list[tuple[str, str, str]]:
    country, amount = rng.choice(COUNTRIES), rng.choice([100, 250, 500, 1000])
    n = rng.randint(3, 10)
    return [
        ("Show each customer's name with the total amount they have spent.",
         "SELECT c.name, SUM(o.total) AS spent\nFROM customers c\n"
         "JOIN orders o ON o.customer_id = c.id\nGROUP BY c.id, c.name\nORDER BY spent DESC;",
         "The join links orders to customers; SUM adds up each customer's orders."),
        (f"Which customers from {country} have placed an order over {amount}?",
         "SELECT DISTINCT c.name\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\n"
         f"WHERE c.country = '{country}' AND o.total > {amount};",
         "DISTINCT avoids listing a customer twice when they have several large orders."),
        ("Find customers who have never placed an order.",
         "SELECT c.name\nFROM customers c\nLEFT JOIN orders o ON o.customer_id = c.id\n"
         "WHERE o.id IS NULL;",
         "A LEFT JOIN keeps every customer; those with no matching order have NULL order "
         "columns."),
        (f"List the top {n} customers by number of orders.",
         "SELECT c.name, COUNT(o.id) AS n_orders\nFROM customers c\n"
         "JOIN orders o ON o.customer_id = c.id\nGROUP BY c.id, c.name\n"
         f"ORDER BY n_orders DESC\nLIMIT {n};",
         "Counting order ids per customer and sorting descending gives the most frequent "
         "buyers."),
        ("What was the total revenue per month?",
         "SELECT strftime('%Y-%m', order_date) AS month, SUM(total) AS revenue\nFROM orders\n"
         "GROUP BY month\nORDER BY month;",
         "strftime is SQLite's date formatter; in PostgreSQL use date_trunc('month', "
         "order_date) instead."),
    ]


def _student_queries(rng: random.Random) -> list[tuple[str, str, str]]:
    subject, cutoff, level = rng.choice(SUBJECTS), rng.choice([70, 80, 90]), rng.randint(6, 12)
    return [
        (f"Find the students who scored at least {cutoff} in {subject}.",
         "SELECT s.name, sc.score\nFROM students s\nJOIN scores sc ON sc.student_id = s.id\n"
         f"WHERE sc.subject = '{subject}' AND sc.score >= {cutoff};",
         "The join attaches scores to names and the filter keeps one subject above the cutoff."),
        ("Which subjects have an average score below 65?",
         "SELECT subject, AVG(score) AS avg_score\nFROM scores\nGROUP BY subject\n"
         "HAVING AVG(score) < 65;",
         "HAVING filters groups after aggregation, which WHERE cannot do."),
        (f"How many students are in grade {level}?",
         f"SELECT COUNT(*)\nFROM students\nWHERE grade_level = {level};",
         "COUNT(*) counts the rows that pass the filter."),
        (f"Show the highest {subject} score and who got it.",
         "SELECT s.name, sc.score\nFROM students s\nJOIN scores sc ON sc.student_id = s.id\n"
         f"WHERE sc.subject = '{subject}'\nORDER BY sc.score DESC\nLIMIT 1;",
         "Sorting descending and taking one row returns the top scorer (ties are broken "
         "arbitrarily)."),
    ]


def _book_queries(rng: random.Random) -> list[tuple[str, str, str]]:
    year, pages = rng.choice([1900, 1950, 1980, 2000, 2010]), rng.choice([300, 400, 500])
    return [
        (f"List book titles published after {year} with their author's name.",
         "SELECT b.title, a.name\nFROM books b\nJOIN authors a ON a.id = b.author_id\n"
         f"WHERE b.published > {year}\nORDER BY b.published;",
         "The join on author_id brings in the author name for each book."),
        ("How many books has each author written?",
         "SELECT a.name, COUNT(b.id) AS n_books\nFROM authors a\n"
         "LEFT JOIN books b ON b.author_id = a.id\nGROUP BY a.id, a.name;",
         "A LEFT JOIN keeps authors with zero books so they show a count of 0."),
        (f"Find books longer than {pages} pages.",
         f"SELECT title, pages\nFROM books\nWHERE pages > {pages}\nORDER BY pages DESC;",
         "A simple filter on the pages column, longest first."),
    ]


def _product_queries(rng: random.Random) -> list[tuple[str, str, str]]:
    cat, low = rng.choice(CATEGORIES), rng.randint(2, 10)
    return [
        (f"Which {cat} products are low on stock (fewer than {low} left)?",
         f"SELECT name, stock\nFROM products\nWHERE category = '{cat}' AND stock < {low};",
         "Both conditions must hold, so they are joined with AND."),
        ("What is the most expensive product in each category?",
         "SELECT category, name, price\nFROM (\n  SELECT *, RANK() OVER (PARTITION BY category "
         "ORDER BY price DESC) AS r\n  FROM products\n) ranked\nWHERE r = 1;",
         "The window function ranks products by price inside each category; rank 1 is the "
         "most expensive (ties all kept)."),
        (f"Delete all products in the {cat} category that are out of stock.",
         f"DELETE FROM products\nWHERE category = '{cat}' AND stock = 0;",
         "Always double-check a DELETE with the same WHERE clause in a SELECT first."),
    ]


QUERY_SETS = {"employees": _employee_queries, "orders": _order_queries,
              "students": _student_queries, "books": _book_queries,
              "products": _product_queries}


def make_sql_task(rng: random.Random) -> Example:
    schema = rng.choice(list(QUERY_SETS))
    question, query, why = rng.choice(QUERY_SETS[schema](rng))
    block = f"{FENCE}sql\n{query}\n{FENCE}"
    out = block if rng.random() < 0.3 else f"{block}\n\n{why}"
    if rng.random() < 0.6:
        inst = rng.choice(["Write a SQL query for the question below.", "Write an SQL query.",
                           "Translate this request into SQL.", "Answer with a SQL query."])
        return Example(inst, f"Schema:\n{SCHEMAS[schema]}\n\nQuestion: {question}", out, "sql")
    return Example(f"{question} (table{'s' if chr(10) in SCHEMAS[schema] else ''}: "
                   f"{SCHEMAS[schema].replace(chr(10), '; ')})", "", out, "sql")
