"""The lasso-to-row mapping and the map sample, as pure functions."""

import numpy as np
import pandas as pd
import pytest

from ui.map_figure import (
    CLUSTER_COLOURS,
    HOVER_CHARS,
    build_map_figure,
    cluster_colour,
    density_sample,
    highlight_figure,
    highlight_png,
    map_pixels,
    raster_rgba,
    rows_from_selection,
)


def _frame(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "row": np.arange(n), "x": rng.normal(size=n), "y": rng.normal(size=n),
        "hover": [f"text {i}" for i in range(n)], "cluster": np.arange(n) % 3,
        "cluster_name": [f"{i % 3}: c{i % 3}" for i in range(n)],
        "category": ["b", "a", "c", "a"] * (n // 4), "score": np.linspace(0, 1, n)})


def _points_of(fig, trace_rows, wanted):
    """Simulate a Plotly event selecting the pool rows ``wanted``."""
    points = []
    for curve, rows in enumerate(trace_rows):
        for index, row in enumerate(rows):
            if row in wanted:
                points.append({"curve_number": curve, "point_index": index,
                               "customdata": fig.data[curve].customdata[index]})
    return points


@pytest.mark.parametrize("color", ["cluster", "category", "score"])
def test_selection_maps_back_to_pool_rows_for_every_colouring(color):
    frame = _frame()
    fig, trace_rows = build_map_figure(frame, color)
    wanted = {1, 4, 7, 11}
    points = _points_of(fig, trace_rows, wanted)
    assert len(points) == len(wanted)
    assert rows_from_selection(points, trace_rows).tolist() == sorted(wanted)
    # the customdata carried by each point agrees with the mapping
    for p in points:
        assert int(p["customdata"]) == trace_rows[p["curve_number"]][p["point_index"]]


def test_categorical_colour_splits_into_traces_with_shuffled_rows():
    frame = _frame()
    fig, trace_rows = build_map_figure(frame, "category")
    names = [t.name for t in fig.data]
    assert names == ["a", "b", "c"]
    # trace "a" holds rows 1, 3, 5, 7, 9, 11: point 2 of curve 0 is pool row 5
    assert rows_from_selection([{"curve_number": 0, "point_index": 2}], trace_rows).tolist() == [5]


def test_highlight_greys_the_rest_in_its_own_trace():
    frame = _frame()
    fig, trace_rows = build_map_figure(frame, "cluster", highlight=np.array([0, 5]))
    assert fig.data[0].name == "not selected"
    assert sorted(np.concatenate(trace_rows[1:]).tolist()) == [0, 5]
    assert len(trace_rows[0]) == 10


def test_greyed_rows_can_drop_their_hover_text_and_keep_the_row_mapping():
    frame = _frame()
    fig, trace_rows = build_map_figure(frame, "cluster", highlight=np.array([0, 5]),
                                       hover_greyed=False)
    grey = fig.data[0]
    assert grey.text is None and grey.hoverinfo == "skip"
    assert all(t.text is not None for t in fig.data[1:])
    assert len(trace_rows[0]) == 10
    assert rows_from_selection([{"curve_number": 0, "point_index": 0}], trace_rows).tolist() \
        == [int(trace_rows[0][0])]


def test_unknown_curves_and_indices_are_ignored():
    frame = _frame()
    _, trace_rows = build_map_figure(frame, "score")
    points = [{"curve_number": 9, "point_index": 0}, {"curve_number": 0, "point_index": 99},
              {"point_index": 1}, {"curve_number": 0, "point_number": 3}]
    assert rows_from_selection(points, trace_rows).tolist() == [3]


def test_drawn_subset_maps_to_its_own_rows():
    frame = _frame(40)
    rows = np.array([2, 5, 9, 30])
    fig, trace_rows = build_map_figure(frame, "score", rows=rows)
    assert trace_rows[0].tolist() == rows.tolist()
    assert rows_from_selection([{"curve_number": 0, "point_index": 3}], trace_rows).tolist() == [30]


def test_density_sample_keeps_share_of_every_region_and_outliers():
    rng = np.random.default_rng(1)
    dense = rng.normal(0, 0.1, size=(20_000, 2))
    sparse = rng.normal(5, 1.0, size=(200, 2))
    outlier = np.array([[40.0, 40.0]])
    xy = np.vstack([dense, sparse, outlier])
    keep = np.array([3, 17])
    rows = density_sample(xy[:, 0], xy[:, 1], 2_000, keep=keep)
    assert len(rows) < 2_600
    assert len(xy) - 1 in rows  # the lone outlier survives
    assert set(keep) <= set(rows.tolist())
    share_dense = np.isin(rows, np.arange(20_000)).mean()
    assert 0.8 < share_dense < 0.99  # the dense region keeps roughly its share
    assert np.all(np.diff(rows) > 0)


def test_density_sample_is_identity_when_small():
    assert density_sample(np.zeros(5), np.zeros(5), 10).tolist() == [0, 1, 2, 3, 4]


def test_highlight_figure_greys_the_drawn_rows_and_colours_picks_by_cluster():
    frame = _frame(60)
    frame.loc[7, "hover"] = "x" * 300
    frame["cluster"] = np.arange(60) % 50  # more clusters than colours: the palette wraps
    picks = np.array([7, 3, 55, 49])
    drawn = np.arange(0, 60, 2)
    fig = highlight_figure(frame, drawn, picks, title="qdit (alpha 0.5): 4 picks highlighted")
    grey, top = fig.data
    assert len(fig.data) == 2 and fig.layout.title.text.startswith("qdit (alpha 0.5):")
    assert len(grey.x) == len(set(drawn) - set(picks))  # drawn rows, picks removed
    assert sorted(top.customdata.tolist()) == sorted(picks.tolist())
    rows = top.customdata.tolist()
    for row, value in zip(rows, top.marker.color, strict=True):
        assert value == frame["cluster"][row] % len(CLUSTER_COLOURS)
    hover = dict(zip(rows, top.text, strict=True))
    assert len(hover[7]) == HOVER_CHARS and hover[7].endswith("…") and hover[3] == "text 3"


def test_stepwise_scale_gives_each_cluster_its_palette_colour():
    """Value i on the scale (cmin -0.5, cmax 47.5) falls in the flat step of colour i, the
    colour the Map page gives cluster i's trace."""
    fig = highlight_figure(_frame(12), np.arange(12), np.arange(3))
    marker = fig.data[1].marker
    scale = [tuple(step) for step in marker.colorscale]
    n = len(CLUSTER_COLOURS)
    for i in (0, 1, 23, 47):
        pos = (i - marker.cmin) / (marker.cmax - marker.cmin)
        below = [c for edge, c in scale if edge <= pos][-1]
        above = [c for edge, c in scale if edge >= pos][0]
        assert below == above == CLUSTER_COLOURS[i] == cluster_colour(i + n)
    cluster_fig, _ = build_map_figure(_frame(12), "cluster")
    assert {t.marker.color for t in cluster_fig.data} == {cluster_colour(c) for c in range(3)}


def test_map_pixels_put_the_range_corners_on_the_picture_corners():
    px, py = map_pixels(np.array([0.0, 10.0, 5.0]), np.array([0.0, 4.0, 2.0]),
                        (0.0, 10.0), (0.0, 4.0), 101, 41)
    assert px.tolist() == [0, 100, 50] and py.tolist() == [40, 0, 20]  # y grows upwards


def test_raster_rgba_composites_overlapping_dots():
    px, py = np.array([5, 5, 20]), np.array([5, 5, 5])
    rgba = raster_rgba(px, py, 30, 10, rgb=(10, 20, 30), alpha=0.5, radius=1)
    assert rgba.shape == (10, 30, 4) and (rgba[..., :3] == (10, 20, 30)).all()
    assert rgba[5, 5, 3] == 191  # two dots: 1 - 0.5^2 = 0.75
    assert rgba[5, 20, 3] == 128 and rgba[6, 21, 3] == 128  # one dot, its disc included
    assert rgba[5, 12, 3] == 0 and rgba[0, 0, 3] == 0  # nothing drawn there


def test_highlight_png_paints_picks_in_their_cluster_colour_over_a_copy():
    from io import BytesIO

    from PIL import Image

    background = raster_rgba(np.arange(0, 40, 3), np.full(14, 10), 40, 20)
    before = background.copy()
    png = highlight_png(background, np.array([4, 30]), np.array([4, 15]), np.array([1, 49]))
    img = np.asarray(Image.open(BytesIO(png)).convert("RGBA"))
    assert (background == before).all()  # the cached background is never written
    hexes = [CLUSTER_COLOURS[1], CLUSTER_COLOURS[49 % len(CLUSTER_COLOURS)]]
    for (x, y), colour in zip([(4, 4), (30, 15)], hexes, strict=True):
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        for dx, dy in [(0, 0), (2, 0), (0, -2), (1, 1)]:  # the radius-2 disc
            assert tuple(img[y + dy, x + dx]) == (*rgb, 255)
        assert tuple(img[y + 2, x + 2]) != (*rgb, 255)  # its corner stays out
    assert (img[10] == before[10]).all()  # rows without picks are the background


def test_highlight_figure_over_a_background_draws_only_the_picks():
    frame = _frame(32)
    fig = highlight_figure(frame, None, np.array([2, 9]), title="t: 2 picks highlighted",
                           background=("data:image/png;base64,AAAA", (-1.0, 2.0), (0.0, 5.0)))
    assert len(fig.data) == 1 and sorted(fig.data[0].customdata.tolist()) == [2, 9]
    image = fig.layout.images[0]
    assert image.source.startswith("data:image/png") and image.layer == "below"
    assert (image.x, image.y, image.sizex, image.sizey) == (-1.0, 5.0, 3.0, 5.0)
    assert list(fig.layout.xaxis.range) == [-1.0, 2.0]
    assert list(fig.layout.yaxis.range) == [0.0, 5.0]
