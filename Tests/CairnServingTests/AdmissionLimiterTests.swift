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
        let router = Router()
        router.add(middleware: AdmissionLimiter(limit: 1))
        router.post("/slow") { _, _ in
            try await Task.sleep(for: .milliseconds(500))
            return "done"
        }
        router.get("/health") { _, _ in "ok" }
        try await Application(router: router).test(.live) { client in
            // A second connection, so the two requests really overlap (one connection serialises them).
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(client.port!)/slow")!)
            request.httpMethod = "POST"
            async let first = client.execute(uri: "/slow", method: .post)
            try await Task.sleep(for: .milliseconds(100))
            let (_, response) = try await URLSession.shared.data(for: request)
            let second = try #require(response as? HTTPURLResponse)
            #expect(second.statusCode == 429)
            #expect(second.value(forHTTPHeaderField: "Retry-After") == "1")
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await first.status == .ok)
            #expect(try await client.execute(uri: "/slow", method: .post).status == .ok)  // capacity is back
        }
    }
}
