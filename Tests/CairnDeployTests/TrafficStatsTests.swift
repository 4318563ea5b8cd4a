@testable import CairnDeploy
import Testing

@Suite("Traffic stats")
struct TrafficStatsTests {
    @Test("Each revision's window counts requests and server errors and gives their p95; a reset starts new windows")
    func windows() {
        let stats = TrafficStats()
        for index in 1...100 {
            stats.started("d")
            stats.finished("d", revision: 1, latency: Double(index) / 1000, failed: index % 10 == 0)
        }
        stats.started("d")
        stats.finished("d", revision: 2, latency: 0.5, failed: true)
        let windows = stats.windows(of: "d")
        #expect(windows[1] == CanaryAnalysis.Window(requests: 100, errors: 10, p95Milliseconds: 95))
        #expect(windows[2]?.errors == 1 && windows[2]?.requests == 1)
        #expect(stats.inFlight(of: "d") == 0)
        stats.reset("d")
        #expect(stats.windows(of: "d").isEmpty)
    }

    @Test("Requests in flight are averaged over time, and the average restarts at each reading")
    func concurrency() async throws {
        let stats = TrafficStats()
        _ = stats.averageConcurrency(of: "d")
        stats.started("d")
        stats.started("d")
        _ = stats.averageConcurrency(of: "d")  // the window opens with two in flight
        try await Task.sleep(for: .milliseconds(50))
        #expect(abs(stats.averageConcurrency(of: "d") - 2) < 0.01)
        stats.finished("d", revision: 1, latency: 0.05, failed: false)
        stats.finished("d", revision: 1, latency: 0.05, failed: false)
        try await Task.sleep(for: .milliseconds(20))
        #expect(stats.averageConcurrency(of: "d") < 0.01)
    }
}
