import CairnCore
@testable import CairnMonitoring
import Synchronization
import Testing

@Suite("Monitors: conditions, alert states, windows, online performance, webhook signatures")
struct AlertingTests {
    @Test("Conditions read the way people write them, with units and durations")
    func conditions() throws {
        let slow = try MonitorCondition(parsing: "p99 > 200 ms for 5 min")
        #expect(slow == MonitorCondition(signal: .latencyP99, comparison: .above, threshold: 200, forSeconds: 300))
        #expect(try MonitorCondition(parsing: "p95>0.5s for 30s") == MonitorCondition(signal: .latencyP95, comparison: .above, threshold: 500, forSeconds: 30))
        #expect(try MonitorCondition(parsing: "error_rate >= 5 %") == MonitorCondition(signal: .errorRate, comparison: .atLeast, threshold: 0.05, forSeconds: 0))
        #expect(try MonitorCondition(parsing: "accuracy < 0.9 for 10m") == MonitorCondition(signal: .accuracy, comparison: .below, threshold: 0.9, forSeconds: 600))
        #expect(try MonitorCondition(parsing: "drift > 0").signal == .drift)
        #expect(slow.description == "p99 > 200 ms for 300 s")
        #expect(slow.isBreached(by: 201) && !slow.isBreached(by: 200))
    }

    @Test("Malformed conditions are refused with the reason", arguments: [
        ("p98 > 200", "unknown signal 'p98'"), ("p99 ~ 200", "'~' is not one of"), ("p99 > fast", "'fast' is not a number"),
        ("error_rate > 5 ms", "'ms' is not a unit of error_rate"), ("error_rate > 2", "a share between 0 and 1"),
        ("p99 > 200 ms for ever", "'ever' is not a duration"), ("p99 > 1 ms for 99999999999999999999 h", "at most 30 days"), ("p99 > 200 ms for 5 fortnights", "'fortnights' is not a unit of time"), ("p99", "expected a signal"),
    ])
    func malformed(text: String, reason: String) {
        #expect {
            try MonitorCondition(parsing: text)
        } throws: { error in
            (error as? CairnError)?.message.contains(reason) == true && (error as? CairnError)?.httpStatus == 400
        }
    }

    @Test("An alert fires once after its duration, stays quiet while firing, resolves once, and ignores checks without data")
    func tracker() {
        var tracker = AlertTracker()
        #expect(tracker.observe(breached: true, at: 0, holdMilliseconds: 5000) == nil)
        #expect(tracker.observe(breached: nil, at: 3000, holdMilliseconds: 5000) == nil)
        #expect(tracker.observe(breached: true, at: 4000, holdMilliseconds: 5000) == nil)
        #expect(tracker.observe(breached: true, at: 5000, holdMilliseconds: 5000) == .fire)
        #expect(tracker.observe(breached: true, at: 9000, holdMilliseconds: 5000) == nil)
        #expect(tracker.observe(breached: false, at: 10000, holdMilliseconds: 5000) == .resolve)
        #expect(tracker.observe(breached: false, at: 11000, holdMilliseconds: 5000) == nil)
        // A breach that ends before its duration never fires.
        #expect(tracker.observe(breached: true, at: 12000, holdMilliseconds: 5000) == nil)
        #expect(tracker.observe(breached: false, at: 13000, holdMilliseconds: 5000) == nil)
        #expect(tracker.observe(breached: true, at: 14000, holdMilliseconds: 5000) == nil)
        #expect(!tracker.firing)
    }

    @Test("Rolling windows count requests and errors per second and read percentiles within a bucket")
    func windows() {
        let now = Mutex<Int64>(1_000)
        let windows = RollingWindows { now.withLock { $0 } }
        for index in 0..<1000 { windows.record("d", latency: Double(index + 1) / 1000, failed: index % 10 == 0) }
        now.withLock { $0 = 1_100 }
        for _ in 0..<100 { windows.record("d", latency: 0.005, failed: false) }
        let minute = windows.summary("d", seconds: 60)
        #expect(minute.requests == 100 && minute.errors == 0)
        let all = windows.summary("d", seconds: 900)
        #expect(all.requests == 1100 && all.errors == 100)
        #expect(abs(all.p99Milliseconds! - 990) / 990 < 0.08, "\(all.p99Milliseconds!)")
        now.withLock { $0 = 2_100 }  // everything older than 15 minutes is gone
        #expect(windows.summary("d", seconds: 900).requests == 0)
        #expect(windows.summary("d", seconds: 900).p99Milliseconds == nil)
    }

    @Test("Online performance: accuracy, precision and recall of the positive class, RMSE")
    func performance() {
        let classes: [(prediction: ReferenceDataset.Value, label: ReferenceDataset.Value)] =
            [(.number(1), .number(1)), (.number(1), .number(0)), (.number(0), .number(0)), (.number(0), .number(1)), (.number(1), .number(1))]
        let result = OnlinePerformance(pairs: classes)
        #expect(result.accuracy == 0.6 && result.precision == 2.0 / 3 && result.recall == 2.0 / 3 && result.labelled == 5)
        let regression = OnlinePerformance(pairs: [(.number(1.5), .number(1)), (.number(2), .number(3))])
        #expect(regression.rmse == (0.625 as Double).squareRoot() && regression.mae == 0.75)
        let text = OnlinePerformance(pairs: [(.text("cat"), .text("cat")), (.text("dog"), .text("cat"))], positive: "cat")
        #expect(text.accuracy == 0.5 && text.recall == 0.5 && text.precision == 1 && text.rmse == nil)
    }

    @Test("Webhook signatures are HMAC-SHA256 of the body, as GitHub signs")
    func signature() {
        #expect(WebhookSignature.sign(Array("The quick brown fox jumps over the lazy dog".utf8), secret: "key")
                == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }
}
