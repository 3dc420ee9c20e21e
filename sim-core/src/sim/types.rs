//! The engine's own types: node and edge indices.

use std::ops::{Index, IndexMut};

use super::{Edge, Node};

/// Index of a node in `Sim::nodes` (node indices stay below `MAX_NODES`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct NodeIx(pub(super) u32);

/// Index of an edge in `Sim::edges`.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct EdgeIx(pub(super) u32);

impl NodeIx {
    /// No node (a key whose user never logged in).
    pub(super) const NONE: NodeIx = NodeIx(u32::MAX);

    /// The client a request comes from ([`super::Req::origin`]).
    #[inline(always)]
    pub(super) fn of_origin(origin: u16) -> NodeIx {
        NodeIx(u32::from(origin))
    }

    /// As a request's origin (node indices fit: they stay below `MAX_NODES`).
    #[inline(always)]
    pub(super) fn as_origin(self) -> u16 {
        self.0 as u16
    }

    #[inline(always)]
    pub(super) fn ix(self) -> usize {
        self.0 as usize
    }

    /// Every index below `len`.
    pub(super) fn all(len: usize) -> impl DoubleEndedIterator<Item = NodeIx> {
        (0..len as u32).map(NodeIx)
    }
}

impl EdgeIx {
    /// No edge (the in-edge of a root call, the out-edge of a call that has sent nothing).
    pub(super) const NONE: EdgeIx = EdgeIx(u32::MAX);

    #[inline(always)]
    pub(super) fn is_some(self) -> bool {
        self != EdgeIx::NONE
    }

    #[inline(always)]
    pub(super) fn ix(self) -> usize {
        self.0 as usize
    }

    /// Every index below `len`.
    pub(super) fn all(len: usize) -> impl DoubleEndedIterator<Item = EdgeIx> {
        (0..len as u32).map(EdgeIx)
    }
}

impl Index<NodeIx> for Vec<Node> {
    type Output = Node;
    #[inline(always)]
    fn index(&self, i: NodeIx) -> &Node {
        &self[i.ix()]
    }
}

impl IndexMut<NodeIx> for Vec<Node> {
    #[inline(always)]
    fn index_mut(&mut self, i: NodeIx) -> &mut Node {
        &mut self[i.ix()]
    }
}

impl Index<EdgeIx> for Vec<Edge> {
    type Output = Edge;
    #[inline(always)]
    fn index(&self, i: EdgeIx) -> &Edge {
        &self[i.ix()]
    }
}

impl IndexMut<EdgeIx> for Vec<Edge> {
    #[inline(always)]
    fn index_mut(&mut self, i: EdgeIx) -> &mut Edge {
        &mut self[i.ix()]
    }
}
