import CairnCore
import Testing

@Suite("AsyncLock keeps critical sections with suspension points exclusive")
struct AsyncLockTests {
    /// A counter whose read-modify-write spans an `await`: without the lock, tasks interleave and
    /// updates are lost.
    actor Ledger {
        var value = 0
        var maxInside = 0
        var inside = 0

        func read() -> Int { value }
        func write(_ newValue: Int) { value = newValue }
        func enter() { inside += 1; maxInside = max(maxInside, inside) }
        func leave() { inside -= 1 }
    }

    @Test("No lost updates and never two holders at once")
    func exclusive() async throws {
        let lock = AsyncLock()
        let ledger = Ledger()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    await lock.withLock {
                        await ledger.enter()
                        let current = await ledger.read()
                        await Task.yield()
                        await ledger.write(current + 1)
                        await ledger.leave()
                    }
                }
            }
        }
        #expect(await ledger.value == 200)
        #expect(await ledger.maxInside == 1)
    }

    @Test("The lock is released when the body throws")
    func releasesOnError() async throws {
        struct Failure: Error {}
        let lock = AsyncLock()
        await #expect(throws: Failure.self) {
            try await lock.withLock { throw Failure() }
        }
        let reached = await lock.withLock { true }
        #expect(reached)
    }
}
