"""The wijk as a network: graph building, connectors, bridges, privacy and DOT text."""

from __future__ import annotations

import itertools
from fractions import Fraction

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abcd.connections.model import ConnectionKind
from abcd.model import Category
from abcd.network import (
    CONNECTOR_COLUMNS,
    KINDS,
    bridge_pairs,
    build_graph,
    connectors,
    dot_source,
    dot_string,
    dot_unescape,
    kind_counts,
    private_view,
    unconnected,
)
from abcd.styles import CATEGORY_STYLE


def assets_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Assets from ``(id, name, category)`` rows."""
    return pd.DataFrame(rows, columns=["id", "name", "category"])


def connections_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Connections from ``(from_id, to_id, kind)`` rows, numbered ``c0``, ``c1``, ..."""
    return pd.DataFrame(
        [(f"c{i}", u, v, kind, "") for i, (u, v, kind) in enumerate(rows)],
        columns=["id", "from_id", "to_id", "kind", "note"],
    )


def graph_of(edges: list[tuple[str, str]], *, isolated: tuple[str, ...] = ()) -> nx.Graph:
    """A graph through :func:`build_graph`; every node is an association named after its id, in capitals."""
    ids = sorted({n for e in edges for n in e} | set(isolated))
    return build_graph(
        assets_frame([(i, i.upper(), "association") for i in ids]),
        connections_frame([(u, v, "works_with") for u, v in edges]),
    )


def by_id(frame: pd.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(frame["id"], frame[column], strict=True))


def betweenness_by_definition(edges: list[tuple[str, str]]) -> dict[str, Fraction]:
    """Normalised betweenness from its definition, by listing every shortest path (tiny graphs only).

    For each unordered pair s, t of other nodes: the share of the shortest s-t
    paths that pass through v; summed, then divided by the number of pairs of
    nodes other than v, (n-1)(n-2)/2.
    """
    nodes = sorted({n for e in edges for n in e})
    neighbours = {n: {b for a, b in edges if a == n} | {a for a, b in edges if b == n} for n in nodes}

    def simple_paths(s: str, t: str) -> list[list[str]]:
        found, stack = [], [[s]]
        while stack:
            path = stack.pop()
            for nxt in neighbours[path[-1]] - set(path):
                (found if nxt == t else stack).append([*path, nxt])
        return found

    score = dict.fromkeys(nodes, Fraction(0))
    for s, target in itertools.combinations(nodes, 2):
        paths = simple_paths(s, target)
        if not paths:
            continue
        shortest = [p for p in paths if len(p) == min(len(q) for q in paths)]
        for v in nodes:
            if v not in (s, target):
                score[v] += Fraction(sum(v in p for p in shortest), len(shortest))
    n = len(nodes)
    pairs = Fraction((n - 1) * (n - 2), 2)
    return {v: (s / pairs if pairs else Fraction(0)) for v, s in score.items()}


# ------------------------------------------------------------------ graph
def test_build_graph_joins_the_connections_of_a_pair_and_leaves_out_strangers_and_loops() -> None:
    assets = assets_frame([("a", "Naaiclub", "association"), ("b", "Buurthuis", "meeting_place")])
    connections = connections_frame(
        [
            ("a", "b", "meets_at"),
            ("b", "a", "supports"),
            ("a", "b", "meets_at"),
            ("a", "a", "other"),  # to itself
            ("a", "elders", "works_with"),  # outside this view of the wijk
        ]
    )
    graph = build_graph(assets, connections)
    assert sorted(graph.nodes(data=True)) == [
        ("a", {"name": "Naaiclub", "category": "association"}),
        ("b", {"name": "Buurthuis", "category": "meeting_place"}),
    ]
    assert list(graph.edges(data=True)) == [("a", "b", {"kinds": ("meets_at", "supports"), "connections": 3})]


def test_build_graph_names_missing_columns() -> None:
    with pytest.raises(ValueError, match=r"lacks the columns \['to_id'\]"):
        build_graph(assets_frame([]), pd.DataFrame(columns=["id", "from_id", "kind"]))


# --------------------------------------------------------------- measures
def test_the_middle_of_a_path_lies_on_every_path() -> None:
    # a-b-c: the one pair (a, c) has one shortest path, through b; one pair of others, so b scores 1/1.
    table = connectors(graph_of([("a", "b"), ("b", "c")]))
    assert list(table["id"]) == ["b", "a", "c"]
    assert by_id(table, "betweenness") == {"a": 0.0, "b": 1.0, "c": 0.0}
    assert by_id(table, "degree") == {"a": 1, "b": 2, "c": 1}


def test_the_knot_of_two_triangles() -> None:
    # Triangles a-b-x and c-d-x share x. The pairs {a,b} x {c,d} (4 of them) each have one shortest path, via x;
    # no other pair needs x. Of the (5-1)(5-2)/2 = 6 pairs of other nodes, 4 run through x: 2/3.
    edges = [("a", "b"), ("a", "x"), ("b", "x"), ("c", "d"), ("c", "x"), ("d", "x")]
    table = connectors(graph_of(edges))
    assert table["id"].iloc[0] == "x"
    assert by_id(table, "betweenness") == pytest.approx({"a": 0, "b": 0, "c": 0, "d": 0, "x": 2 / 3})
    assert by_id(table, "bridges") == dict.fromkeys("abcdx", 0)  # every link lies on a triangle
    assert by_id(table, "joins") == {"a": 0, "b": 0, "c": 0, "d": 0, "x": 1}


def test_two_equal_routes_share_the_credit() -> None:
    # The square a-b-c-d: the pair (a, c) has two shortest paths, via b and via d, so b gets 1/2 of it;
    # (a, d) and (c, d) are direct. Three pairs of others: b scores (1/2) / 3 = 1/6, and so does every corner.
    table = connectors(graph_of([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")]))
    assert by_id(table, "betweenness") == pytest.approx(dict.fromkeys("abcd", 1 / 6))
    assert list(table["name"]) == ["A", "B", "C", "D"]  # a tie is decided by name


def test_unconnected_assets_neither_count_nor_dilute_betweenness() -> None:
    table = connectors(graph_of([("a", "b"), ("b", "c")], isolated=("z", "y")))
    assert set(table["id"]) == {"a", "b", "c"}
    assert by_id(table, "betweenness")["b"] == 1.0


def test_bridges_and_what_falls_apart() -> None:
    # A triangle a-b-c, with d hanging off c, and e and f hanging off d.
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("d", "f")]
    graph = graph_of(edges)
    assert bridge_pairs(graph) == [("c", "d"), ("d", "e"), ("d", "f")]
    table = connectors(graph)
    assert by_id(table, "bridges") == {"a": 0, "b": 0, "c": 1, "d": 3, "e": 1, "f": 1}
    # Without c: {a, b} and {d, e, f}, one part more. Without d: {a, b, c}, {e} and {f}, two more.
    assert by_id(table, "joins") == {"a": 0, "b": 0, "c": 1, "d": 2, "e": 0, "f": 0}
    assert list(table.columns) == list(CONNECTOR_COLUMNS)
    assert table.dtypes[["degree", "bridges", "joins"]].eq("int64").all()


def test_connectors_order_betweenness_then_bridges_then_name_and_top() -> None:
    # Nobody lies between others here; the pair p-q is one bridge, the triangle has none.
    assets = assets_frame(
        [
            ("1", "Zeilclub", "association"),
            ("2", "atelier", "business"),
            ("3", "Moestuin", "initiative"),
            ("p", "Wasserette", "business"),
            ("q", "Bibliotheek", "institution"),
        ]
    )
    connections = connections_frame(
        [("1", "2", "other"), ("2", "3", "other"), ("3", "1", "other"), ("p", "q", "about")]
    )
    table = connectors(build_graph(assets, connections))
    assert list(table["name"]) == ["Bibliotheek", "Wasserette", "atelier", "Moestuin", "Zeilclub"]
    assert list(connectors(build_graph(assets, connections), top=2)["name"]) == ["Bibliotheek", "Wasserette"]
    with pytest.raises(ValueError, match="top must be 0 or more"):
        connectors(build_graph(assets, connections), top=-1)


def test_connectors_of_an_empty_wijk() -> None:
    table = connectors(build_graph(assets_frame([("a", "A", "story")]), connections_frame([])))
    assert table.empty
    assert list(table.columns) == list(CONNECTOR_COLUMNS)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.tuples(st.sampled_from("abcdefg"), st.sampled_from("abcdefg")), max_size=12))
def test_measures_agree_with_their_definitions(pairs: set[tuple[str, str]]) -> None:
    edges = sorted({(min(u, v), max(u, v)) for u, v in pairs if u != v})
    graph = graph_of(edges, isolated=("h",))
    table = connectors(graph)
    expected = betweenness_by_definition(edges)
    assert by_id(table, "betweenness") == pytest.approx({v: float(s) for v, s in expected.items()})
    # joins: how many parts more the graph has without the node, counted by removing it.
    parts = nx.number_connected_components(graph)
    for node in table["id"]:
        without = graph.copy()
        without.remove_node(node)
        assert by_id(table, "joins")[node] == nx.number_connected_components(without) - parts
    # bridges: a connection is one when removing it splits its part.
    for u, v in edges:
        without = graph.copy()
        without.remove_edge(u, v)
        assert ((u, v) in bridge_pairs(graph)) == (nx.number_connected_components(without) > parts)


# ------------------------------------------------------ lists and counts
def test_unconnected_lists_the_assets_without_any_connection_by_category_then_name() -> None:
    assets = pd.DataFrame(
        {
            "id": ["s", "m", "b", "a", "z", "l", "o"],
            "name": ["Verhaal", "zaal", "Bakker", "Naaiclub", "Alleen", "Lus", "Over de grens"],
            "category": ["story", "meeting_place", "business", "association", "meeting_place", "place", "place"],
        },
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    connections = connections_frame([("a", "b", "other"), ("l", "l", "about"), ("elders", "o", "about")])
    listed = unconnected(assets, connections)
    # Meeting places before places before stories (the order of Category); a self-loop connects nothing,
    # a connection to an asset outside the view does.
    assert list(listed["name"]) == ["Alleen", "zaal", "Lus", "Verhaal"]
    assert list(listed.index) == [14, 11, 15, 10]
    assert list(listed.columns) == ["id", "name", "category"]


def test_unconnected_counts_residents_as_connections() -> None:
    assets = assets_frame([("a", "Naaiclub", "association"), ("b", "Bakker", "business")]).assign(residents=[2, 0])
    assert list(unconnected(assets, connections_frame([]))["id"]) == ["b"]


def test_unconnected_with_repeated_index_labels_gives_each_row_once() -> None:
    assets = assets_frame([("a", "A", "story"), ("b", "B", "story")]).set_axis([0, 0])
    assert list(unconnected(assets, connections_frame([]))["id"]) == ["a", "b"]


def test_kind_counts_follow_the_kinds_and_fill_zeros() -> None:
    counts = kind_counts(connections_frame([("a", "b", "about"), ("b", "c", "member_of"), ("c", "d", "about")]))
    assert KINDS == ("member_of", "meets_at", "supports", "organised_by", "about", "works_with", "other")
    assert list(counts.index) == list(KINDS)
    assert counts.to_dict() == {**dict.fromkeys(KINDS, 0), "about": 2, "member_of": 1}
    assert counts.dtype == "int64"
    assert kind_counts(connections_frame([])).eq(0).all()


def test_kind_counts_count_an_unknown_kind_last() -> None:
    counts = kind_counts(connections_frame([("a", "b", "neighbours"), ("a", "b", "other")]))
    assert list(counts.index) == [*KINDS, "neighbours"]
    assert counts["neighbours"] == 1


# ---------------------------------------------------------------- privacy
PEOPLE = {"person-ans": "Ans Jansen", "person-piet": "Piet de Vries", "person-kees": "Kees Bakker"}


def wijk_with_people() -> tuple[pd.DataFrame, pd.DataFrame]:
    assets = pd.DataFrame(
        {
            "id": ["club", "huis", "tuin", "verhaal", *PEOPLE],
            "name": ["Naaiclub", "Buurthuis", "Moestuin", "Het verhaal van de haven", *PEOPLE.values()],
            "category": ["association", "meeting_place", "initiative", "story", "person", "person", "person"],
            "linked_asset_id": [None, None, None, None, "club", "club", None],
        },
        index=[5, 6, 7, 8, 9, 10, 11],
    )
    connections = pd.DataFrame(
        [
            ("c1", "person-ans", "club", "member_of", "sinds 2019"),
            ("c2", "club", "person-ans", "supports", ""),  # the same resident again, another way round
            ("c3", "person-piet", "club", "member_of", ""),
            ("c4", "person-piet", "tuin", "organised_by", ""),
            ("c5", "club", "huis", "meets_at", "dinsdag"),
            ("c6", "person-ans", "person-piet", "works_with", ""),
            ("c7", "person-elders", "club", "member_of", ""),  # a resident of another wijk
            ("c8", "tuin", "huis", "meets_at", ""),
            ("c9", "person-kees", "person-kees", "other", ""),
        ],
        columns=["id", "from_id", "to_id", "kind", "note"],
    )
    return assets, connections


def everything_in(*frames: pd.DataFrame) -> str:
    """Every cell, column name and index label of ``frames`` as one text."""
    return "\n".join(f"{list(f.columns)} {list(f.index)} {f.astype(str).to_numpy().tolist()}" for f in frames)


def test_private_view_leaves_no_trace_of_a_resident() -> None:
    assets, connections = wijk_with_people()
    shown, links = private_view(assets, connections, show_people=False)
    text = everything_in(shown, links)
    for person_id, name in [*PEOPLE.items(), ("person-elders", "")]:
        assert person_id not in text
        assert not name or name not in text
    assert "person" not in set(shown["category"])
    graph = build_graph(shown, links)
    dot = dot_source(graph, highlight=list(connectors(graph)["id"]))
    for person_id, name in PEOPLE.items():
        assert person_id not in dot
        assert name not in dot


def test_private_view_counts_distinct_residents_per_asset() -> None:
    assets, connections = wijk_with_people()
    shown, links = private_view(assets, connections, show_people=False)
    # Ans twice and Piet at the club; Piet at the garden; the resident of another wijk is not known here.
    assert by_id(shown, "residents") == {"club": 2, "huis": 0, "tuin": 1, "verhaal": 0}
    assert shown["residents"].dtype == "int64"
    assert list(shown.index) == [5, 6, 7, 8]
    assert list(links["id"]) == ["c5", "c8"]
    assert list(links.columns) == list(connections.columns)


def test_private_view_with_people_changes_nothing_but_adds_the_counts() -> None:
    assets, connections = wijk_with_people()
    shown, links = private_view(assets, connections, show_people=True)
    pd.testing.assert_frame_equal(shown.drop(columns="residents"), assets)
    pd.testing.assert_frame_equal(links, connections)
    # Ans and Piet know each other: each is connected to one resident.
    assert by_id(shown, "residents") == {
        "club": 2,
        "huis": 0,
        "tuin": 1,
        "verhaal": 0,
        "person-ans": 1,
        "person-piet": 1,
        "person-kees": 0,
    }


def test_private_view_twice_keeps_the_counts() -> None:
    assets, connections = wijk_with_people()
    once = private_view(assets, connections, show_people=False)
    for show_people in (False, True):
        again = private_view(*once, show_people=show_people)
        pd.testing.assert_frame_equal(again[0], once[0])
        pd.testing.assert_frame_equal(again[1], once[1])
    with_people = private_view(assets, connections, show_people=True)
    pd.testing.assert_frame_equal(private_view(*with_people, show_people=True)[0], with_people[0])


def test_private_view_does_not_change_its_input() -> None:
    assets, connections = wijk_with_people()
    private_view(assets, connections, show_people=False)
    pd.testing.assert_frame_equal(assets, wijk_with_people()[0])
    pd.testing.assert_frame_equal(connections, wijk_with_people()[1])


ids = st.sampled_from(["p1", "p2", "p3", "a1", "a2", "a3", "x9"])


@settings(max_examples=80, deadline=None)
@given(
    categories=st.lists(st.sampled_from(["person", "association", "place"]), min_size=6, max_size=6),
    pairs=st.lists(st.tuples(ids, ids, st.sampled_from(KINDS)), max_size=15),
)
def test_no_resident_ever_passes_the_private_view(categories: list[str], pairs: list[tuple[str, str, str]]) -> None:
    asset_ids = ["p1", "p2", "p3", "a1", "a2", "a3"]  # x9 is not in the frame: it could be anyone
    assets = assets_frame([(i, f"naam-{i}", c) for i, c in zip(asset_ids, categories, strict=True)])
    people = {i for i, c in zip(asset_ids, categories, strict=True) if c == "person"}
    connections = connections_frame(pairs)
    shown, links = private_view(assets, connections, show_people=False)
    allowed = set(asset_ids) - people
    assert set(shown["id"]) == allowed
    assert set(links["from_id"]) | set(links["to_id"]) <= allowed
    text = everything_in(shown, links)
    for person in people:
        assert person not in text
        assert f"naam-{person}" not in text
    # Each asset's count is the number of distinct residents it shares a connection with.
    for asset_id, count in by_id(shown, "residents").items():
        met = {u for u, v, _ in pairs if v == asset_id and u in people and u != v}
        met |= {v for u, v, _ in pairs if u == asset_id and v in people and u != v}
        assert count == len(met)


# -------------------------------------------------------------------- DOT
HOSTILE = 'Club "De <b>Brug</b>" \\ x'


def quoted_strings(dot: str) -> tuple[list[str], str]:
    """The quoted strings of ``dot`` and its skeleton (each string replaced by ``S``), read as Graphviz's scanner does.

    Inside a string a backslash takes the next character with it (``\\"`` and
    ``\\\\``), and an unescaped ``"`` ends it. Fails on an unterminated string or
    a raw line break inside one.
    """
    strings, skeleton, i = [], [], 0
    while i < len(dot):
        if dot[i] != '"':
            skeleton.append(dot[i])
            i += 1
            continue
        j = i + 1
        while True:
            assert j < len(dot), f"unterminated string from {dot[i : i + 40]!r}"
            assert dot[j] != "\n", f"raw line break in {dot[i:j]!r}"
            if dot[j] == "\\":
                j += 2
            elif dot[j] == '"':
                break
            else:
                j += 1
        strings.append(dot[i : j + 1])
        skeleton.append("S")
        i = j + 1
    return strings, "".join(skeleton)


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        "eindigt op \\",
        '"',
        '\\"',
        "twee\nregels\r\nen\rnog",
        "a &amp; b",
        "&lt;&gt;",
        "\\N \\G \\l",
        "tab\there",
        "",
    ],
)
def test_dot_string_round_trips_and_stays_one_string(text: str) -> None:
    quoted = dot_string(text)
    strings, skeleton = quoted_strings(quoted)
    assert strings == [quoted]
    assert skeleton == "S"
    assert dot_unescape(quoted) == text.replace("\r\n", "\n").replace("\r", "\n")
    assert "<" not in quoted
    assert ">" not in quoted


def test_dot_string_of_the_hostile_name() -> None:
    assert dot_string(HOSTILE) == '"Club \\"De &lt;b&gt;Brug&lt;/b&gt;\\" \\\\ x"'


def hostile_graph() -> nx.Graph:
    assets = assets_frame(
        [
            ('id "1"', HOSTILE, "association"),
            ("b", "Buurt\nhuis", "meeting_place"),
            ("c", "eindigt op \\", "mystery"),
        ]
    )
    connections = connections_frame([('id "1"', "b", "meets_at"), ("b", 'id "1"', "supports"), ("b", "c", "other")])
    return build_graph(assets, connections)


def test_dot_source_is_valid_with_hostile_names_and_ids() -> None:
    dot = dot_source(hostile_graph(), highlight=["b"], lang="en")
    strings, skeleton = quoted_strings(dot)
    lines = skeleton.splitlines()
    assert lines[0] == "graph wijk {"
    assert lines[-1] == "}"
    node = "  S [label=S, fillcolor=S, fontcolor=S, tooltip=S];"
    assert lines[4:] == [  # nodes by id: b (highlighted), c, id "1"; then the two edges
        node.replace("];", ", penwidth=S];"),
        node,
        node,
        "  S -- S [tooltip=S];",
        "  S -- S [tooltip=S];",
        "}",
    ]
    texts = [dot_unescape(s) for s in strings]
    for name in [HOSTILE, "Buurt\nhuis", "eindigt op \\", 'id "1"']:
        assert name in texts
    assert f"{ConnectionKind.MEETS_AT.label('en')}, {ConnectionKind.SUPPORTS.label('en')}" in texts


def test_dot_source_colours_and_highlights() -> None:
    graph = hostile_graph()
    nodes = {line.split(" [")[0].strip(): line for line in dot_source(graph, highlight=["b"]).splitlines()}
    hostile = nodes[dot_string('id "1"')]
    assert f'fillcolor="{CATEGORY_STYLE["association"].color}"' in hostile
    assert 'penwidth="3"' in nodes['"b"']
    assert 'penwidth="3"' not in hostile
    assert 'fillcolor="#cccccc"' in nodes['"c"']  # a category without a colour is grey
    assert 'tooltip="mystery"' in nodes['"c"']
    assert f"tooltip={dot_string(Category.ASSOCIATION.label('nl'))}" in hostile
    own = dot_source(graph, colours={"association": "#000000"})
    assert 'fillcolor="#000000", fontcolor="#ffffff"' in own
    assert own.count('fillcolor="#cccccc"') == 2
    with pytest.raises(ValueError, match="#rrggbb"):
        dot_source(graph, colours={"association": 'red"; x'})


def test_dot_source_of_an_empty_graph() -> None:
    _strings, skeleton = quoted_strings(dot_source(nx.Graph()))
    assert skeleton.splitlines()[0] == "graph wijk {"
    assert skeleton.splitlines()[-1] == "}"
