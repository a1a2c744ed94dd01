//! The live-update gauges of `/metrics`.

use std::sync::{Arc, atomic::Ordering};

use super::hub::Hub;

/// `live_streams_open`, `live_listener_sessions_total` and `live_position` of this replica,
/// read from the hub at every scrape (registered on the app's metrics registry).
pub struct HubGauges {
    hub: Arc<Hub>,
    open: prometheus::IntGauge,
    sessions: prometheus::IntGauge,
    position: prometheus::IntGauge,
}

impl HubGauges {
    pub fn new(hub: Arc<Hub>) -> prometheus::Result<Self> {
        Ok(Self {
            hub,
            open: prometheus::IntGauge::new(
                "live_streams_open",
                "Live-update streams open on this replica.",
            )?,
            sessions: prometheus::IntGauge::new(
                "live_listener_sessions_total",
                "LISTEN connections this replica opened (1 + reconnects).",
            )?,
            position: prometheus::IntGauge::new(
                "live_position",
                "The newest outbox id this replica has fanned out.",
            )?,
        })
    }
}

impl prometheus::core::Collector for HubGauges {
    fn desc(&self) -> Vec<&prometheus::core::Desc> {
        let mut d = self.open.desc();
        d.extend(self.sessions.desc());
        d.extend(self.position.desc());
        d
    }

    fn collect(&self) -> Vec<prometheus::proto::MetricFamily> {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.open.set(n(self.hub.open_streams() as u64));
        self.sessions
            .set(n(self.hub.sessions.load(Ordering::Relaxed)));
        self.position.set(self.hub.position());
        let mut f = self.open.collect();
        f.extend(self.sessions.collect());
        f.extend(self.position.collect());
        f
    }
}
