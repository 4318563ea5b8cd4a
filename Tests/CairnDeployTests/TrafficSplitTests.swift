import CairnDeploy
import Testing

@Suite("Traffic splits")
struct TrafficSplitTests {
    @Test("70/30 over 10,000 keyed requests lands within 2 points of the weights, and each key always hits the same revision")
    func weightsAndStickiness() throws {
        let split = try TrafficSplit([.init(revision: 1, percent: 70), .init(revision: 2, percent: 30)])
        var counts: [Int: Int] = [:]
        for index in 0..<10_000 {
            let key = "user-\(index)"
            let revision = split.revision(forKey: key)
            counts[revision, default: 0] += 1
            #expect((0..<5).allSatisfy { _ in split.revision(forKey: key) == revision })
        }
        #expect(abs(Double(counts[1, default: 0]) / 100 - 70) <= 2, "\(counts)")
        #expect(abs(Double(counts[2, default: 0]) / 100 - 30) <= 2, "\(counts)")
        let unkeyed = (0..<10_000).reduce(0) { total, _ in total + (split.revision(forKey: nil) == 2 ? 1 : 0) }
        #expect(abs(Double(unkeyed) / 100 - 30) <= 2)
    }

    @Test("A revision at 0 % gets nothing; all traffic to one revision")
    func zeroAndAll() throws {
        let split = try TrafficSplit([.init(revision: 1, percent: 100), .init(revision: 2, percent: 0)])
        #expect((0..<1_000).allSatisfy { split.revision(forKey: "k\($0)") == 1 })
        #expect(TrafficSplit.all(to: 7).revision(forKey: nil) == 7)
        #expect(split.percent(of: 2) == 0 && split.percent(of: 9) == 0)
    }

    @Test("Weights that do not sum to 100, negative or repeated revisions, and empty splits are refused")
    func invalid() {
        #expect(throws: TrafficSplit.Invalid.self) { try TrafficSplit([.init(revision: 1, percent: 60), .init(revision: 2, percent: 30)]) }
        #expect(throws: TrafficSplit.Invalid.self) { try TrafficSplit([.init(revision: 1, percent: 110), .init(revision: 2, percent: -10)]) }
        #expect(throws: TrafficSplit.Invalid.self) { try TrafficSplit([.init(revision: 1, percent: 50), .init(revision: 1, percent: 50)]) }
        #expect(throws: TrafficSplit.Invalid.self) { try TrafficSplit([]) }
    }
}
