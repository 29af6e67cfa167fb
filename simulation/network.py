"""The social network people live on: a small world (Watts & Strogatz 1998) built with numpy.

The ties are drawn as edge arrays from the model's own generator, so both engines see the very same
network; the agent engine turns them into a networkx graph for `mesa.discrete_space.Network`, the vector
engine into a sparse adjacency matrix. networkx's own `watts_strogatz_graph` draws from Python's global
`random` module and builds Python objects per tie, which breaks seeding and does not scale to a million
people; that is why the generator is written here.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp


def small_world_edges(n_people: int, degree: int, rewiring: float, rng: np.random.Generator) -> np.ndarray:
    """Undirected ties (an ``(E, 2)`` int array, each pair sorted, no duplicates or self-ties).

    Everyone starts tied to `degree // 2` neighbours on each side of a ring; each tie's far end is moved
    to a random person with probability `rewiring`. A rewired tie that would duplicate another tie or
    point back at its owner is merged away, so a few people end with slightly fewer ties.
    """
    half = degree // 2
    if n_people < 2 or half == 0:
        return np.empty((0, 2), dtype=np.int64)
    half = min(half, (n_people - 1) // 2) if n_people > 2 else 1
    owners = np.repeat(np.arange(n_people, dtype=np.int64), half)
    offsets = np.tile(np.arange(1, half + 1, dtype=np.int64), n_people)
    targets = (owners + offsets) % n_people
    rewired = rng.random(owners.size) < rewiring
    targets[rewired] = rng.integers(0, n_people, size=int(rewired.sum()))
    keep = targets != owners
    low = np.minimum(owners[keep], targets[keep])
    high = np.maximum(owners[keep], targets[keep])
    keys = np.unique(low * n_people + high)  # one integer per tie: fast de-duplication, sorted
    return np.stack([keys // n_people, keys % n_people], axis=1)


def to_networkx(n_people: int, edges: np.ndarray) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(range(n_people))
    graph.add_edges_from(edges.tolist())
    return graph


def adjacency_matrix(n_people: int, edges: np.ndarray) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency as CSR with int32 entries (counts of neighbours are exact integers)."""
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    data = np.ones(rows.size, dtype=np.int32)
    return sp.csr_matrix((data, (rows, cols)), shape=(n_people, n_people))


def max_degree(n_people: int, edges: np.ndarray) -> int:
    if edges.size == 0:
        return 0
    return int(np.bincount(edges.ravel(), minlength=n_people).max())
