"""Walking reach: shortest paths along the street lines, with initiatives snapped onto them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from abcd.gaps._common import (
    EPS_M,
    NEAREST_CUTOFF_M,
    SNAP_TOLERANCE_M,
    TIE_M,
    FloatArray,
    GeomArray,
    Initiatives,
    IntArray,
    Pairs,
    Pieces,
    expand_ranges,
    first_of_runs,
    flatten,
    min_per_key,
    pieces_of,
    point_piece_distance,
    unique_sorted,
)


@dataclass(frozen=True, slots=True)
class _Network:
    """Walking graph built from the street lines; nodes are snapped end points of parts."""

    n_nodes: int
    n_seg: int
    part_seg: IntArray  # segment of each part
    u: IntArray  # start node of each part
    v: IntArray  # end node of each part
    indptr: IntArray  # symmetric CSR adjacency (no self loops, shortest of parallel edges)
    indices: IntArray
    weights: FloatArray
    inc_ptr: IntArray  # node -> incident segments (CSR)
    inc_seg: IntArray


def _build_network(pieces: Pieces) -> _Network:
    """Build the walking graph: snapped part end points as nodes, parts as edges (length in m)."""
    n_parts = pieces.parts.size
    n_seg = pieces.n_seg
    node, n_nodes = _snap_nodes(np.concatenate([pieces.part_start, pieces.part_end]), SNAP_TOLERANCE_M)
    u, v = node[:n_parts], node[n_parts:]

    edge = u != v
    lo, hi = np.minimum(u[edge], v[edge]), np.maximum(u[edge], v[edge])
    keys, w = min_per_key(lo * n_nodes + hi, pieces.part_len[edge])
    lo, hi = keys // n_nodes, keys % n_nodes
    adj = sparse.csr_array(
        (np.concatenate([w, w]), (np.concatenate([lo, hi]), np.concatenate([hi, lo]))), shape=(n_nodes, n_nodes)
    )
    seg = np.concatenate([pieces.part_seg, pieces.part_seg])
    inc_keys = unique_sorted(np.concatenate([u, v]) * n_seg + seg)
    inc_node = inc_keys // n_seg
    return _Network(
        n_nodes=n_nodes,
        n_seg=n_seg,
        part_seg=pieces.part_seg,
        u=u,
        v=v,
        indptr=adj.indptr.astype(np.int64),
        indices=adj.indices.astype(np.int64),
        weights=adj.data.astype(np.float64),
        inc_ptr=np.searchsorted(inc_node, np.arange(n_nodes + 1)).astype(np.int64),
        inc_seg=inc_keys % n_seg,
    )


def _snap_nodes(xy: FloatArray, tolerance: float) -> tuple[IntArray, int]:
    """Node id per end point: identical points first, then chains within ``tolerance``."""
    inverse, ux, uy = _group_equal_points(xy)
    tree = cKDTree(np.column_stack([ux, uy]), balanced_tree=False, compact_nodes=False)
    pairs = tree.query_pairs(tolerance, output_type="ndarray")
    if len(pairs) == 0:
        return inverse, int(ux.size)
    link = sparse.coo_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(ux.size, ux.size))
    n, label = connected_components(link, directed=False)
    return label.astype(np.int64)[inverse], int(n)


def _group_equal_points(xy: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Group bit-identical points: (group of each point, x and y of each group).

    Sorting a 64-bit hash of both coordinates is ~10x faster than
    ``np.unique`` on complex numbers or a lexsort; a hash collision is
    detected and then the slow exact path is taken.
    """
    x = np.ascontiguousarray(xy[:, 0]) + 0.0  # +0.0 turns -0.0 into 0.0
    y = np.ascontiguousarray(xy[:, 1]) + 0.0
    with np.errstate(over="ignore"):
        h = x.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ y.view(np.uint64)
    order = np.argsort(h)
    first = first_of_runs(h[order])
    group = np.cumsum(first) - 1
    rep = order[first]
    if np.array_equal(x[order], x[rep][group]) and np.array_equal(y[order], y[rep][group]):
        inverse = np.empty(xy.shape[0], dtype=np.int64)
        inverse[order] = group
        return inverse, x[rep], y[rep]
    uniq, inv = np.unique(x + 1j * y, return_inverse=True)  # pragma: no cover - needs a 64-bit hash collision
    return inv.reshape(-1).astype(np.int64), uniq.real.copy(), uniq.imag.copy()


@dataclass(frozen=True, slots=True)
class _Sources:
    """Where the initiatives enter the network."""

    node_init: IntArray  # (initiative, node, walking distance to that node)
    node: IntArray
    node_dist: FloatArray
    seg_init: IntArray  # (initiative, segment, distance to that segment itself)
    seg: IntArray
    seg_dist: FloatArray


def _snap_points(pieces: Pieces, xy: FloatArray) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Nearest piece(s) of each point: (point, piece, offset, position along the piece's part).

    Exact: the nearest piece is at most ``d0`` away (``d0``: distance to the
    nearest piece midpoint), so its midpoint lies within ``d0 + half``; all
    pieces there are measured exactly. Every piece within ``TIE_M`` of the
    minimum is kept, so ties (a point equally far from two streets) are
    deterministic: both are entries.
    """
    d0, _ = pieces.mid_tree.query(xy, k=1)
    near = np.flatnonzero(d0 - pieces.half <= NEAREST_CUTOFF_M)
    qi, pj = flatten(pieces.mid_tree.query_ball_point(xy[near], d0[near] + pieces.half + 1e-3, return_sorted=False))
    qi = near[qi]
    d, t = point_piece_distance(xy[qi], pieces.a[pj], pieces.b[pj])
    best = np.full(xy.shape[0], np.inf)
    np.minimum.at(best, qi, d)
    keep = (d <= best[qi] + TIE_M) & (d <= NEAREST_CUTOFF_M)
    qi, pj, d, t = qi[keep], pj[keep], d[keep], t[keep]
    return qi, pj, d, pieces.along[pj] + t * pieces.length[pj]


def _network_sources(net: _Network, pieces: Pieces, inits: Initiatives) -> _Sources:
    """Snap initiatives onto the network.

    A point enters at its projection on the nearest part(s); the offset
    counts, and from there the walk continues along the part to both its
    ends. An area is at distance 0 of every part it touches (within 1e-9 m),
    and the ends of such a part are as far as the walk along it to the
    nearest point inside the area. An area that touches no street enters its nearest part(s) like
    a point does, at the ends of the stretch nearest to it (see
    :func:`_nearest_stretch`), with that distance as offset.
    """
    node_init: list[IntArray] = []
    node: list[IntArray] = []
    node_dist: list[FloatArray] = []
    seg_init: list[IntArray] = []
    seg: list[IntArray] = []
    seg_dist: list[FloatArray] = []

    def add(init: IntArray, part: IntArray, offset: FloatArray, to_u: FloatArray, to_v: FloatArray) -> None:
        node_init.extend([init, init])
        node.extend([net.u[part], net.v[part]])
        node_dist.extend([offset + np.maximum(to_u, 0.0), offset + np.maximum(to_v, 0.0)])
        seg_init.append(init)
        seg.append(pieces.part_seg[part])
        seg_dist.append(offset)

    pid = np.flatnonzero(inits.has_point).astype(np.int64)
    if pid.size:
        qi, pj, offset, at = _snap_points(pieces, inits.xy[pid])
        part = pieces.piece_part[pj]
        add(pid[qi], part, offset, at, pieces.part_len[part] - at)

    if inits.areas.size:
        tree = shapely.STRtree(pieces.parts)
        # "Touching" allows the same 1e-9 m as ties between points do, so that
        # an area a rounding error away from a street does not flip the result.
        ai, part = tree.query(inits.areas, predicate="dwithin", distance=TIE_M)
        ai, part = ai.astype(np.int64), part.astype(np.int64)
        inside = shapely.intersection(pieces.parts[part], inits.areas[ai])
        xy, which = shapely.get_coordinates(inside, return_index=True)
        at = shapely.line_locate_point(pieces.parts[part[which]], shapely.points(xy))
        to_u = np.full(part.size, np.inf)
        to_v = np.full(part.size, np.inf)
        np.minimum.at(to_u, which, at)
        np.minimum.at(to_v, which, pieces.part_len[part[which]] - at)
        offset = np.zeros(part.size)
        grazing = np.flatnonzero(~np.isfinite(to_u))  # within the tolerance but no common point
        if grazing.size:
            g_area, g_part = inits.areas[ai[grazing]], pieces.parts[part[grazing]]
            offset[grazing] = shapely.distance(g_area, g_part)
            t_lo, t_hi = _nearest_stretch(g_area, g_part, offset[grazing])
            to_u[grazing], to_v[grazing] = t_lo, pieces.part_len[part[grazing]] - t_hi
        add(inits.area_of[ai], part, offset, to_u, to_v)

        lonely = np.setdiff1d(np.arange(inits.areas.size), ai)
        if lonely.size:
            (qi, _), best = tree.query_nearest(inits.areas[lonely], return_distance=True, all_matches=False)
            keep = best <= NEAREST_CUTOFF_M
            qi, best = lonely[qi[keep]], best[keep]
            # Every part within TIE_M of the nearest is an entry (``all_matches``
            # only finds bit-identical distances, so ties would depend on rounding).
            li, part = tree.query(inits.areas[qi], predicate="dwithin", distance=best + TIE_M)
            area, part = qi[li], part.astype(np.int64)
            offset = shapely.distance(inits.areas[area], pieces.parts[part])
            t_lo, t_hi = _nearest_stretch(inits.areas[area], pieces.parts[part], offset)
            add(inits.area_of[area], part, offset, t_lo, pieces.part_len[part] - t_hi)

    def cat(arrays: list[npt.NDArray[Any]], dtype: type) -> npt.NDArray[Any]:
        return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)

    nd = cat(node_dist, np.float64)
    ok = np.isfinite(nd)
    return _Sources(
        node_init=cat(node_init, np.int64)[ok],
        node=cat(node, np.int64)[ok],
        node_dist=nd[ok],
        seg_init=cat(seg_init, np.int64),
        seg=cat(seg, np.int64),
        seg_dist=cat(seg_dist, np.float64),
    )


def _nearest_stretch(areas: GeomArray, parts: GeomArray, offset: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Where along each part the points nearest to the area start and end.

    An area running parallel to a street is equally near along a whole
    stretch of it; GEOS returns an arbitrary point of that stretch. Entering
    at the stretch's ends makes the walk to either end of the part the
    shortest possible and independent of GEOS internals. The stretch is
    bounded by projections of area vertices and by vertices of the part,
    so those (plus GEOS's nearest point) are the only candidates.
    """
    line = shapely.shortest_line(areas, parts)
    nearest_xy = shapely.get_coordinates(line).reshape(-1, 2, 2)[:, 1]
    area_xy, area_of = shapely.get_coordinates(areas, return_index=True)
    part_xy, part_of = shapely.get_coordinates(parts, return_index=True)
    owner = np.concatenate([np.arange(parts.size), area_of, part_of])
    cand = shapely.points(np.concatenate([nearest_xy, area_xy, part_xy]))
    against = np.concatenate([parts[area_of], areas[part_of]])  # area vertices vs part, part vertices vs area
    dist = np.concatenate([offset, shapely.distance(cand[parts.size :], against)])
    at = shapely.line_locate_point(parts[owner], cand)
    at = np.where(dist <= offset[owner] + TIE_M, at, np.nan)
    t_lo = np.full(parts.size, np.inf)
    t_hi = np.full(parts.size, -np.inf)
    np.fmin.at(t_lo, owner, at)
    np.fmax.at(t_hi, owner, at)
    return t_lo, t_hi


def network_coverage(geoms: GeomArray, inits: Initiatives, distance: float) -> tuple[IntArray, FloatArray, Pairs]:
    """Counts, nearest distances and the (segment, initiative) pairs within reach, walking along the street lines."""
    # Long pieces are cut only to keep the snapping balls small (see _snap_points).
    pieces = pieces_of(geoms, 200.0)
    net = _build_network(pieces)
    src = _network_sources(net, pieces, inits)
    nearest = _network_nearest(net, src)
    pair = _network_pairs(net, src, distance + EPS_M)
    counts = np.bincount(pair % net.n_seg, minlength=net.n_seg).astype(np.int64)
    return counts, nearest, Pairs(pair % net.n_seg, pair // net.n_seg)


def _network_nearest(net: _Network, src: _Sources) -> FloatArray:
    """Nearest initiative per segment in ONE multi-source Dijkstra pass.

    A virtual super-source (node ``n``) gets an edge to every entry node,
    weighted with the walk from the initiative to that node; one bounded
    Dijkstra from it gives, per node, the distance to the nearest initiative.
    """
    n = net.n_nodes
    nodes, first_dist = min_per_key(src.node, src.node_dist)
    # Every path from the super-source uses exactly one of its edges, so adding
    # 1 m to each and subtracting it afterwards changes no shortest path; it
    # keeps an initiative right on a junction (offset 0) from being an explicit
    # zero in the sparse matrix, which sparse code may treat as "no edge".
    graph = sparse.csr_array(
        (
            np.concatenate([net.weights, first_dist + 1.0]),
            np.concatenate([net.indices, nodes]),
            np.concatenate([net.indptr, [net.indptr[-1] + nodes.size]]),
        ),
        shape=(n + 1, n + 1),
    )
    node_dist = dijkstra(graph, directed=True, indices=n, limit=NEAREST_CUTOFF_M + 1.0 + EPS_M)[:n] - 1.0
    nearest = np.full(net.n_seg, np.inf)
    np.minimum.at(nearest, net.part_seg, np.minimum(node_dist[net.u], node_dist[net.v]))
    np.minimum.at(nearest, src.seg, src.seg_dist)
    nearest[~(nearest <= NEAREST_CUTOFF_M + EPS_M)] = np.nan
    return nearest


def _network_pairs(net: _Network, src: _Sources, limit: float) -> IntArray:
    """Every distinct (initiative * n_seg + segment) within ``limit`` walking metres, sorted.

    Choice of method: a bounded Dijkstra per initiative through
    ``scipy.sparse.csgraph.dijkstra(indices=..., limit=...)`` is exact but
    returns a dense (initiatives x nodes) matrix (25k x 250k = 50 GB), and even
    chunked its O(K*N) initialisation dominates. Instead all bounded searches
    run *together*: labels are (initiative, node) pairs and every round relaxes
    the edges of the labels that improved in the previous round, in numpy,
    pruning anything beyond ``limit`` (label-correcting Bellman-Ford). This is
    exact, and costs time proportional to the total reach of all initiatives
    (a few dozen nodes each at 250 m) times the number of rounds (the most
    edges on a shortest path within ``limit``), not to K*N.
    """
    keys, _ = _bounded_labels(net, src.node_init * net.n_nodes + src.node, src.node_dist, limit)
    node = keys % net.n_nodes
    init = keys // net.n_nodes
    owner, item = expand_ranges(net.inc_ptr[node], net.inc_ptr[node + 1] - net.inc_ptr[node])
    direct = src.seg_dist <= limit
    pair = unique_sorted(
        np.concatenate(
            [init[owner] * net.n_seg + net.inc_seg[item], src.seg_init[direct] * net.n_seg + src.seg[direct]]
        )
    )
    return pair


def _bounded_labels(net: _Network, keys: IntArray, dist: FloatArray, limit: float) -> tuple[IntArray, FloatArray]:
    """All (initiative * n_nodes + node) labels with a walking distance <= ``limit``."""
    n = net.n_nodes
    ok = dist <= limit
    best_k, best_d = min_per_key(keys[ok], dist[ok])
    best_d = best_d.copy()
    front_k, front_d = best_k, best_d.copy()
    while front_k.size:
        node = front_k % n
        start = net.indptr[node]
        owner, item = expand_ranges(start, net.indptr[node + 1] - start)
        new_d = front_d[owner] + net.weights[item]
        ok = new_d <= limit
        owner, item, new_d = owner[ok], item[ok], new_d[ok]
        new_k, new_d = min_per_key(front_k[owner] - node[owner] + net.indices[item], new_d)
        pos = np.searchsorted(best_k, new_k)
        known = pos < best_k.size
        known[known] = best_k[pos[known]] == new_k[known]
        better = ~known
        better[known] = new_d[known] < best_d[pos[known]]
        update = known & better
        best_d[pos[update]] = new_d[update]
        fresh = ~known
        best_k = np.insert(best_k, pos[fresh], new_k[fresh])
        best_d = np.insert(best_d, pos[fresh], new_d[fresh])
        front_k, front_d = new_k[better], new_d[better]
    return best_k, best_d
