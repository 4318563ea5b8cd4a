import CairnCore
import CairnFeatures
import CairnHTTP
import Prometheus

/// The feature store's series at `/metrics`, refreshed when scraped: each online view's age
/// (seconds since its newest value's event time), which an alert rule can watch.
struct FeatureMetrics: Sendable {
    let collectors: PrometheusCollectors

    static var freshness: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cairn", subsystem: "feature_view", metricName: "staleness", unitName: "seconds",
                             helpText: "Age of the newest online value of each feature view (seconds since its event time).")
    }

    init(registry: PrometheusCollectorRegistry) {
        collectors = PrometheusCollectors(registry: registry)
    }

    func refresh(from service: FeatureStoreService) async {
        guard let views = try? await service.freshness() else { return }
        let now = Clock.nowMillis()
        for view in views {
            guard let staleness = view.staleness(atMillis: now) else { continue }
            collectors.gauge(Self.freshness, [("project", view.project), ("view", view.view)]).set(to: staleness)
        }
    }
}
