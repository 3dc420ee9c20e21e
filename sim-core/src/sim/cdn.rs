//! CDN edges: a CDN is a cache (see `cache.rs`) of static assets, versioned by deploys.

use super::*;

impl Sim {
    /// A new version of every static asset is live at the origins.
    pub(super) fn deploy_assets(&mut self) {
        self.data.assets_version += 1;
        let v = self.data.assets_version;
        self.log(format!("static assets version {v} deployed at {}", fmt_s(self.now)));
    }
}
