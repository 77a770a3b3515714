"""The wijk as a network: assets are the nodes, their connections the edges.

A *connection* says how two assets hang together: a resident is a member of
a club (``member_of``), a club meets at a meeting place (``meets_at``), an
institution supports an initiative (``supports``), and so on (:data:`KINDS`).
Seen as a graph, the connections show who holds the wijk together: the
*connectors* that many paths run through (betweenness), the links that are the
only one between two parts (bridges), and the assets whose absence would split
the network (articulation points).

Everything here is pure: asset and connection frames in, a graph, frames and
DOT text out. A resident's connections are personal data, so a page first
passes both frames through :func:`private_view`, which replaces every
``person`` by a count on the assets they are connected to.

>>> assets = pd.DataFrame({"id": ["a", "b", "c"], "name": ["Naaiclub", "Buurthuis", "Moestuin"],
...                        "category": ["association", "meeting_place", "initiative"]})
>>> connections = pd.DataFrame({"id": ["1", "2"], "from_id": ["a", "c"], "to_id": ["b", "b"],
...                             "kind": ["meets_at", "meets_at"]})
>>> graph = build_graph(assets, connections)
>>> connectors(graph, top=1)[["name", "degree", "betweenness", "joins"]].to_dict("records")
[{'name': 'Buurthuis', 'degree': 2, 'betweenness': 1.0, 'joins': 1}]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping

import networkx as nx
import pandas as pd

from abcd.connections.model import ConnectionKind
from abcd.i18n import Lang
from abcd.model import Category
from abcd.styles import CATEGORY_STYLE

KINDS: tuple[str, ...] = tuple(kind.value for kind in ConnectionKind)
"""The codes of the kinds of connection, in the order they are listed and counted."""

ASSET_COLUMNS = ("id", "name", "category")
CONNECTION_COLUMNS = ("id", "from_id", "to_id", "kind")
CONNECTOR_COLUMNS = ("id", "name", "category", "degree", "betweenness", "bridges", "joins")

DEFAULT_FILL = "#cccccc"  # a category without a colour
_INKS = ("#111111", "#ffffff")  # label colours; the one that contrasts more with the fill is used
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tabs stay; line breaks are handled apart


# -------------------------------------------------------------------- graph
def build_graph(assets: pd.DataFrame, connections: pd.DataFrame) -> nx.Graph:
    """The undirected graph of the wijk: one node per asset, one edge per connected pair.

    Nodes are asset ids with the attributes ``name`` and ``category``. Edges
    carry ``kinds`` (the sorted distinct kinds of the connections between the
    pair, either way round) and ``connections`` (how many there are).
    Connections to an id that is not in ``assets`` lie outside this view of the
    wijk and are left out, as are connections of an asset to itself.
    """
    _require(assets, ASSET_COLUMNS, "asset")
    _require(connections, CONNECTION_COLUMNS, "connection")
    graph = nx.Graph()
    for asset_id, name, category in zip(assets["id"], assets["name"], assets["category"], strict=True):
        graph.add_node(str(asset_id), name=str(name), category=str(category))
    kinds: dict[tuple[str, str], set[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for pair, kind in _pairs(connections, set(graph)):
        kinds.setdefault(pair, set()).add(kind)
        counts[pair] += 1
    for (u, v), count in sorted(counts.items()):
        graph.add_edge(u, v, kinds=tuple(sorted(kinds[(u, v)])), connections=count)
    return graph


def _pairs(connections: pd.DataFrame, known: set[str]) -> Iterable[tuple[tuple[str, str], str]]:
    """``((smaller id, larger id), kind)`` for each connection between two different ``known`` ids."""
    for source, target, kind in zip(connections["from_id"], connections["to_id"], connections["kind"], strict=True):
        u, v = str(source), str(target)
        if u != v and u in known and v in known:
            yield (min(u, v), max(u, v)), str(kind)


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"The {what} frame lacks the columns {missing}; it has {list(frame.columns)}"
        raise ValueError(msg)


# --------------------------------------------------------------- measures
def connectors(graph: nx.Graph, *, top: int | None = None) -> pd.DataFrame:
    """The connected assets, the ones that hold the network together first.

    Returns
    -------
    pandas.DataFrame
        One row per node with at least one connection: ``id``, ``name``,
        ``category``, ``degree`` (how many assets it is connected to),
        ``betweenness`` (the share of shortest paths between other assets that
        run through it, normalised to 0..1), ``bridges`` (how many of its
        connections are the only link between two parts of the network) and
        ``joins`` (how many parts more the network would fall into without it:
        0 unless it is an articulation point). Sorted by betweenness and
        bridges, highest first, then by name (ignoring case); the first ``top``
        rows when given.

    Notes
    -----
    Betweenness is computed on the connected assets only: assets without any
    connection take part in no path, and counting them would only shrink
    everyone's normalised score as more unconnected assets are mapped.
    """
    if top is not None and top < 0:
        msg = f"top must be 0 or more; got {top}"
        raise ValueError(msg)
    linked = graph.subgraph([n for n, d in graph.degree() if d > 0])
    betweenness = nx.betweenness_centrality(linked, normalized=True)
    bridges: Counter[str] = Counter()
    for u, v in nx.bridges(linked):
        bridges[u] += 1
        bridges[v] += 1
    # Removing a node splits its component into as many parts as there are blocks (biconnected components) it lies
    # in; only articulation points lie in more than one.
    cuts = set(nx.articulation_points(linked))
    blocks = Counter(n for block in nx.biconnected_components(linked) for n in block if n in cuts)
    rows = [
        (
            node,
            linked.nodes[node].get("name", node),
            linked.nodes[node].get("category", ""),
            linked.degree(node),
            float(betweenness[node]),
            bridges[node],
            blocks[node] - 1 if node in cuts else 0,
        )
        for node in linked
    ]
    frame = pd.DataFrame(rows, columns=list(CONNECTOR_COLUMNS)).astype(
        {"id": object, "name": object, "category": object, "degree": "int64", "bridges": "int64", "joins": "int64"}
    )
    # Rounded for sorting, so two equal scores reached along different sums are a tie that the name decides.
    order = frame.assign(_b=frame["betweenness"].round(12), _name=frame["name"].astype(str).str.casefold()).sort_values(
        ["_b", "bridges", "_name", "id"], ascending=[False, False, True, True], kind="stable"
    )
    frame = frame.loc[order.index].reset_index(drop=True)
    return frame if top is None else frame.head(top)


def bridge_pairs(graph: nx.Graph) -> list[tuple[str, str]]:
    """The connections that are the only link between two parts of the network, as sorted id pairs.

    >>> bridge_pairs(nx.Graph([("b", "a"), ("a", "c"), ("c", "b"), ("c", "d")]))
    [('c', 'd')]
    """
    return sorted((min(u, v), max(u, v)) for u, v in nx.bridges(graph))


def unconnected(assets: pd.DataFrame, connections: pd.DataFrame) -> pd.DataFrame:
    """The assets without any connection ("nog niet verbonden"), by category, then name.

    A connection to an asset outside ``assets`` still counts: the asset is
    connected, just not within this view. An asset with ``residents`` above 0
    (the output of :func:`private_view`) is connected to residents, so it is
    not listed either. The rows keep their index and columns; categories come
    in the order of :class:`~abcd.model.Category`.
    """
    _require(assets, ASSET_COLUMNS, "asset")
    _require(connections, CONNECTION_COLUMNS, "connection")
    ends = [(str(u), str(v)) for u, v in zip(connections["from_id"], connections["to_id"], strict=True)]
    linked = {end for pair in ends if pair[0] != pair[1] for end in pair}
    ids = assets["id"].astype(str)
    alone = ~ids.isin(linked).to_numpy()
    if "residents" in assets.columns:
        alone &= assets["residents"].fillna(0).astype("int64").eq(0).to_numpy()
    rank = {c.value: i for i, c in enumerate(Category)}
    codes = assets["category"].astype(str)
    keys = pd.DataFrame(
        {
            "rank": codes.map(lambda c: rank.get(c, len(rank))).to_numpy(),
            "code": codes.to_numpy(),
            "name": assets["name"].astype(str).str.casefold().to_numpy(),
            "id": ids.to_numpy(),
        }
    )[alone]
    # Positions, not labels, so an index with repeated labels still gives each row once.
    return assets.iloc[keys.sort_values(["rank", "code", "name", "id"], kind="stable").index]


def kind_counts(connections: pd.DataFrame) -> pd.Series:
    """How many connections there are of each kind, in the order of :data:`KINDS`, zeros included.

    A kind outside :data:`KINDS` is counted after them, so no connection goes uncounted.

    >>> kind_counts(pd.DataFrame({"kind": ["other", "meets_at", "meets_at"]})).to_dict()
    {'member_of': 0, 'meets_at': 2, 'supports': 0, 'organised_by': 0, 'about': 0, 'works_with': 0, 'other': 1}
    """
    _require(connections, ("kind",), "connection")
    counts = Counter(str(k) for k in connections["kind"])
    order = [*KINDS, *sorted(k for k in counts if k not in KINDS)]
    return pd.Series([counts[k] for k in order], index=pd.Index(order, name="kind"), name="connections", dtype="int64")


# ---------------------------------------------------------------- privacy
def private_view(
    assets: pd.DataFrame, connections: pd.DataFrame, *, show_people: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames a page may show: residents (``person`` assets) as counts unless ``show_people``.

    Both ways the assets gain a column ``residents``: how many distinct
    residents each asset is connected to. With ``show_people=False`` every
    person row is dropped and so is every connection that does not run between
    two of the remaining assets: one that touches a resident, and one whose
    other end is not in ``assets`` (it could be a resident of another wijk, and
    a graph of this view leaves it out anyway). No id, name or connection of a
    resident is left. With ``show_people=True`` the frames come back unchanged
    apart from that column. Rows keep their index.

    Passing a view through again changes nothing: a frame that has a
    ``residents`` column and no person rows keeps the counts it has.

    Public pages show small counts as ``"<5"`` (:func:`abcd.people.shown_count`).

    >>> assets = pd.DataFrame({"id": ["p", "c"], "name": ["Ans", "Naaiclub"], "category": ["person", "association"]})
    >>> connections = pd.DataFrame({"id": ["1"], "from_id": ["p"], "to_id": ["c"], "kind": ["member_of"]})
    >>> shown, links = private_view(assets, connections, show_people=False)
    >>> shown[["name", "residents"]].to_dict("records"), len(links)
    ([{'name': 'Naaiclub', 'residents': 1}], 0)
    """
    _require(assets, ASSET_COLUMNS, "asset")
    _require(connections, CONNECTION_COLUMNS, "connection")
    is_person = assets["category"].astype(str) == Category.PERSON.value
    ids = assets["id"].astype(str)
    out = assets.copy()
    if not ("residents" in assets.columns and not is_person.any()):
        out["residents"] = ids.map(_residents(ids[is_person], set(ids), connections)).fillna(0).astype("int64")
    if show_people:
        return out, connections.copy()
    others = set(ids[~is_person])
    keep = connections["from_id"].astype(str).isin(others) & connections["to_id"].astype(str).isin(others)
    return out.loc[~is_person.to_numpy()], connections.loc[keep.to_numpy()].copy()


def _residents(people: Iterable[str], known: set[str], connections: pd.DataFrame) -> dict[str, int]:
    """For each id in ``known``, how many distinct ``people`` it is connected to."""
    residents = set(people)
    met: dict[str, set[str]] = {}
    for (u, v), _kind in _pairs(connections, known):
        if u in residents:
            met.setdefault(v, set()).add(u)
        if v in residents:
            met.setdefault(u, set()).add(v)
    return {asset_id: len(people_met) for asset_id, people_met in met.items()}


# -------------------------------------------------------------------- DOT
def dot_source(
    graph: nx.Graph,
    *,
    highlight: Collection[str] = (),
    colours: Mapping[str, str] | None = None,
    lang: Lang = "nl",
) -> str:
    """Graphviz DOT text of ``graph`` for ``st.graphviz_chart`` (drawn in the browser, offline).

    Each node is a rounded box labelled with the asset's name, filled with its
    category's colour (``colours`` maps a category code to ``#rrggbb``; by
    default the app's category colours, :data:`abcd.styles.CATEGORY_STYLE`;
    grey for a category without one) and tooltipped with the category's name.
    The ``highlight`` nodes (the connectors) get a thick border. Edges have no
    label; their tooltip names the kinds (:meth:`~abcd.connections.model.ConnectionKind.label`).

    Every id, name and tooltip is a quoted DOT string escaped by
    :func:`dot_string`, never an HTML label, so no name can change the graph.

    >>> graph = nx.Graph([("a", "b")])
    >>> graph.add_node("a", name='Club "De Brug"', category="association")
    >>> print(dot_source(graph, highlight=["a"]), end="")  # doctest: +ELLIPSIS
    graph wijk {
    ...
      "a" [label="Club \\"De Brug\\"", fillcolor="#56B4E9", fontcolor="#111111", tooltip="...", penwidth="3"];
      "b" [label="b", fillcolor="#cccccc", fontcolor="#111111"];
      "a" -- "b";
    }
    """
    fills = {code: style.color for code, style in CATEGORY_STYLE.items()} if colours is None else dict(colours)
    for code, colour in fills.items():
        if not _HEX_COLOUR.fullmatch(colour):
            msg = f"The colour of {code!r} must be '#rrggbb'; got {colour!r}"
            raise ValueError(msg)
    marked = {str(n) for n in highlight}
    lines = [
        "graph wijk {",
        '  graph [bgcolor="transparent", pad="0.2", nodesep="0.3", ranksep="0.6"];',
        '  node [shape="box", style="rounded,filled", fontname="sans-serif", fontsize="11", penwidth="1"];',
        '  edge [color="#777777"];',
    ]
    for node in sorted(graph.nodes, key=str):
        data = graph.nodes[node]
        category = str(data.get("category", ""))
        fill = fills.get(category, DEFAULT_FILL)
        attributes = {"label": str(data.get("name", node)), "fillcolor": fill, "fontcolor": _ink(fill)}
        if category:
            attributes["tooltip"] = _category_label(category, lang)
        if str(node) in marked:
            attributes["penwidth"] = "3"
        lines.append(f"  {dot_string(str(node))}{_attribute_list(attributes)};")
    for a, b in sorted(tuple(sorted((str(u), str(v)))) for u, v in graph.edges):
        kinds = graph.edges[a, b].get("kinds", ())
        tooltip = {"tooltip": ", ".join(_kind_label(kind, lang) for kind in kinds)} if kinds else {}
        lines.append(f"  {dot_string(a)} -- {dot_string(b)}{_attribute_list(tooltip)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_string(text: str) -> str:
    r"""``text`` as a quoted DOT string that Graphviz shows exactly as written.

    Inside a quoted string DOT ends the string at an unescaped ``"``, and a
    label reads backslash sequences (``\n``, ``\N``, ``\\``) and HTML
    character entities (``&amp;``): so ``&``, ``<`` and ``>`` become entities,
    a backslash is doubled, a quote gets a backslash, a line break becomes
    ``\n`` and other control characters a space. :func:`dot_unescape` is the
    inverse.

    >>> print(dot_string('Club "De <b>Brug</b>" \\ x'))
    "Club \"De &lt;b&gt;Brug&lt;/b&gt;\" \\ x"
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{_CONTROL.sub(" ", text)}"'


def dot_unescape(quoted: str) -> str:
    r"""The text Graphviz shows for a quoted string made by :func:`dot_string`.

    >>> dot_unescape(dot_string('a "b" \\ <c> & d\ne'))
    'a "b" \\ <c> & d\ne'
    """
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"':
        msg = f"Not a quoted DOT string: {quoted!r}"
        raise ValueError(msg)
    chars: list[str] = []
    body, i = quoted[1:-1], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            chars.append({"n": "\n", "\\": "\\", '"': '"'}.get(body[i + 1], body[i : i + 2]))
            i += 2
        else:
            chars.append(body[i])
            i += 1
    return "".join(chars).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _attribute_list(attributes: Mapping[str, str]) -> str:
    """`` [key="value", ...]``, or nothing for no attributes."""
    if not attributes:
        return ""
    return " [" + ", ".join(f"{key}={dot_string(value)}" for key, value in attributes.items()) + "]"


def _category_label(code: str, lang: Lang) -> str:
    try:
        return Category(code).label(lang)
    except ValueError:
        return code


def _kind_label(code: str, lang: Lang) -> str:
    try:
        return ConnectionKind(code).label(lang)
    except ValueError:
        return code


def _ink(fill: str) -> str:
    """The label colour that contrasts more with ``fill`` (WCAG contrast ratio)."""
    lum = _luminance(fill)
    return max(_INKS, key=lambda ink: (max(lum, _luminance(ink)) + 0.05) / (min(lum, _luminance(ink)) + 0.05))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


__all__ = [
    "KINDS",
    "bridge_pairs",
    "build_graph",
    "connectors",
    "dot_source",
    "dot_string",
    "dot_unescape",
    "kind_counts",
    "private_view",
    "unconnected",
]
