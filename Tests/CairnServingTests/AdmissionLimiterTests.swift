import CairnServing
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Admission limit")
struct AdmissionLimiterTests {
    @Test("Beyond the limit, inference requests get 429 with Retry-After; reads are never refused")
    func refusesBeyondLimit() async throws {
        // The first request stays in progress until released, however slow the machine is.
        let (entered, enteredContinuation) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
        let router = Router()
        router.add(middleware: AdmissionLimiter(limit: 1))
        router.post("/slow") { _, _ in
            enteredContinuation.yield()
            for await _ in release { break }
            return "done"
        }
        router.post("/fast") { _, _ in "done" }
        router.get("/health") { _, _ in "ok" }
        try await Application(router: router).test(.live) { client in
            // A second connection, so the two requests really overlap (one connection serialises them).
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(client.port!)/slow")!)
            request.httpMethod = "POST"
            async let first = client.execute(uri: "/slow", method: .post)
            var inProgress = entered.makeAsyncIterator()
            _ = await inProgress.next()
            let (_, response) = try await URLSession.shared.data(for: request)
            let second = try #require(response as? HTTPURLResponse)
            #expect(second.statusCode == 429)
            #expect(second.value(forHTTPHeaderField: "Retry-After") == "1")
            // Over its own connection too: the test client's one connection is busy with the first request.
            let (_, health) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(client.port!)/health")!)
            #expect((health as? HTTPURLResponse)?.statusCode == 200)
            releaseContinuation.finish()
            #expect(try await first.status == .ok)
            #expect(try await client.execute(uri: "/fast", method: .post).status == .ok)  // capacity is back
        }
    }
}
