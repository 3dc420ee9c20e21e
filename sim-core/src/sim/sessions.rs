//! Sessions: a request's key stands for its user. An `in_memory` server owns the sessions of
//! the users who logged in there; a session store is a cache whose session lookups hit or log
//! in, never fetch.

use super::cache::{cache_cfg, expiry};
use super::*;

/// Owner of a session lost with the server that held it.
const SESSION_LOST: NodeIx = NodeIx(u32::MAX - 1);

/// Sessions at one node.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct SessionCounters {
    pub(super) held: u64,
    pub(super) logins: u64,
    pub(super) relogins: u64,
    pub(super) lost: u64,
}

impl Sim {
    /// Whether a request over `edge` is a session lookup: the edge leads from an app server
    /// to the cache it names as its session store.
    pub(super) fn is_session_edge(&self, edge: EdgeIx) -> bool {
        let Some(e) = self.edges.get(edge.ix()) else { return false };
        match &self.nodes[e.from].kind {
            NodeKind::Server(ServerParams { sessions: Sessions::Store { cache }, .. }) => *cache == self.nodes[e.to].id,
            _ => false,
        }
    }

    /// A request reached an app server that keeps sessions in memory: the user's session is
    /// there, or the user logs in there (again, if the session was lost or lives elsewhere).
    pub(super) fn server_session(&mut self, server: NodeIx, req: Req) {
        if req.kind == ReqKind::Static {
            return;
        }
        if self.data.session_owner.get(req.key as usize) != Some(&server) {
            self.log_in(server, req.key);
        }
    }

    /// The user of `key` logs in at `holder`, which now holds the session.
    pub(super) fn log_in(&mut self, holder: NodeIx, key: u32) {
        let k = key as usize;
        let owners = &mut self.data.session_owner;
        if owners.len() <= k {
            owners.resize(k + 1, NodeIx::NONE);
        }
        let before = std::mem::replace(&mut owners[k], holder);
        let sessions = &mut self.data.sessions;
        if before != NodeIx::NONE && before != SESSION_LOST {
            if let Some(c) = sessions.get_mut(&before) {
                c.held = c.held.saturating_sub(1);
            }
        }
        let c = sessions.entry(holder).or_default();
        c.held += 1;
        if before == NodeIx::NONE {
            c.logins += 1;
        } else {
            c.relogins += 1;
        }
    }

    /// A session lookup at a shared session store: a hit keeps the session fresh, a miss is
    /// a login (a forced re-login if the user had a session that was evicted, expired or lost).
    pub(super) fn session_lookup_done(&mut self, node: NodeIx, id: CallId, req: Req) {
        let now = self.now;
        let n = &mut self.nodes[node];
        let Some(cfg) = cache_cfg(&n.kind) else { return };
        let Ext::Cache(st) = &mut n.ext else { return };
        let (found, expired) = st.lookup(req.key, now);
        if found.is_some() {
            st.hits += 1;
            st.touch(req.key, cfg.eviction);
        } else {
            st.misses += 1;
            st.expirations += u64::from(expired);
            let expires = expiry(&cfg, &mut n.rng, now);
            if let Ext::Cache(st) = &mut n.ext {
                st.insert(req.key, 0, expires, &cfg, &mut n.rng);
            }
            self.log_in(node, req.key);
        }
        self.finish(id, Ok(()));
    }

    /// `node` crashed or was emptied: the sessions it held are gone (`present`: how many a
    /// cache still held; a server held every session it owns).
    pub(super) fn drop_sessions(&mut self, node: NodeIx, present: Option<u64>) {
        let Some(c) = self.data.sessions.get_mut(&node) else { return };
        let mut owned = 0;
        for owner in self.data.session_owner.iter_mut().filter(|o| **o == node) {
            *owner = SESSION_LOST;
            owned += 1;
        }
        c.lost += present.unwrap_or(owned);
        c.held = 0;
    }

    pub(super) fn session_view(&self, idx: NodeIx, n: &Node) -> Option<SessionView> {
        let c = self.data.sessions.get(&idx)?;
        let (mode, active) = match &n.ext {
            Ext::Cache(st) => (SessionMode::Store, st.len() as u64),
            _ => (SessionMode::InMemory, c.held),
        };
        Some(SessionView { mode, active, logins: c.logins, relogins: c.relogins, lost: c.lost })
    }
}
