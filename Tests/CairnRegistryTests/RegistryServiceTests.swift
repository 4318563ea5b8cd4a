import CairnCore
import CairnStorage
import CairnTestSupport
import CairnTracking
import Testing
@testable import CairnRegistry

/// The registry store suite; every test runs on SQLite and on PostgreSQL.
@Suite("Registry service and store, on every engine")
struct RegistryServiceTests {
    @Test("Versions number from 1, numbers of deleted versions are never reused, renames keep versions", arguments: TestDatabases.engines)
    func versionNumbers(engine: DatabaseEngine) async throws {
        try await RegistryFixture.with(engine) { fixture in
            let runID = try await fixture.run(files: ["MLmodel": "m"])
            _ = try await fixture.registry.createRegisteredModel(name: "churn", description: "d", tags: [KeyValue(key: "team", value: "a")], user: "u")
            #expect(await errorCode { _ = try await fixture.registry.createRegisteredModel(name: "churn", description: nil, tags: [], user: "u") } == .resourceAlreadyExists)
            let numbers = try await (0..<3).asyncMap { _ in try await fixture.register("churn", runID: runID).version }
            #expect(numbers == [1, 2, 3])
            try await fixture.registry.deleteModelVersion(name: "churn", version: 3, user: "u")
            #expect(try await fixture.register("churn", runID: runID).version == 4)
            #expect(await errorCode { _ = try await fixture.registry.getModelVersion(name: "churn", version: 3) } == .resourceDoesNotExist)

            _ = try await fixture.registry.renameRegisteredModel(name: "churn", newName: "churn-v2")
            #expect(try await fixture.registry.getModelVersion(name: "churn-v2", version: 4).runID == runID)
            #expect(await errorCode { _ = try await fixture.registry.getRegisteredModel(name: "churn") } == .resourceDoesNotExist)
            let model = try await fixture.registry.getRegisteredModel(name: "churn-v2")
            #expect(model.tags == [KeyValue(key: "team", value: "a")])
            #expect(model.latestVersions.map(\.version) == [4])
        }
    }

    @Test("A version's manifest is frozen at registration", arguments: TestDatabases.engines)
    func frozenManifest(engine: DatabaseEngine) async throws {
        try await RegistryFixture.with(engine) { fixture in
            let runID = try await fixture.run(files: ["MLmodel": "flavor", "weights.bin": "v1 weights"])
            _ = try await fixture.registry.createRegisteredModel(name: "m", description: nil, tags: [], user: "u")
            let version = try await fixture.register("m", runID: runID)
            let before = try await fixture.registry.manifest(name: "m", version: version.version).files
            #expect(before.map(\.path) == ["MLmodel", "weights.bin"])

            try await fixture.put(runID: runID, "model/weights.bin", "v2 weights, different")
            try await fixture.put(runID: runID, "model/extra.txt", "new file")
            #expect(try await fixture.registry.manifest(name: "m", version: version.version).files == before)
            let uri = try await fixture.registry.downloadURI(name: "m", version: version.version)
            let snapshot = try #require(TrackingService.proxiedPath(ofArtifactURI: uri))
            let served = try await fixture.tracking.artifacts.file(at: snapshot.appending(try ArtifactPath(validating: "weights.bin")))
            #expect(served.artifact.sha256 == before[1].sha256)
            #expect(await errorCode {
                _ = try await fixture.tracking.artifacts.put(snapshot.appending(try ArtifactPath(validating: "weights.bin")), body: Chunks("x"))
            } == .permissionDenied)

            try await fixture.registry.deleteModelVersion(name: "m", version: version.version, user: "u")
            #expect(try await fixture.tracking.artifacts.list(snapshot).isEmpty)
        }
    }

    @Test("Sources are resolved with MLflow's rules", arguments: TestDatabases.engines)
    func sources(engine: DatabaseEngine) async throws {
        try await RegistryFixture.with(engine) { fixture in
            let runID = try await fixture.run(files: ["MLmodel": "m"])
            let other = try await fixture.run(files: [:])
            _ = try await fixture.registry.createRegisteredModel(name: "m", description: nil, tags: [], user: "u")
            func create(_ source: String, runID: String?) async -> ErrorCode? {
                await errorCode {
                    _ = try await fixture.registry.createModelVersion(CreateModelVersionRequest(
                        name: "m", source: source, runID: runID, runLink: nil, description: nil, loggedModelID: nil, tags: []), user: "u")
                }
            }
            #expect(await create("runs:/\(runID)/model", runID: other) == .invalidParameterValue)
            #expect(await create("mlflow-artifacts:/0/\(runID)/artifacts/model", runID: other) == .invalidParameterValue)
            #expect(await create("runs:/\(runID)/../x", runID: nil) == .invalidParameterValue)
            #expect(await create("/tmp/model", runID: nil) == .invalidParameterValue)
            #expect(await create("runs:/nope/model", runID: nil) == .resourceDoesNotExist)
            #expect(try await fixture.registry.searchModelVersions(filter: nil, orderBy: [], maxResults: nil, pageToken: nil).items.isEmpty)
            #expect(await create("mlflow-artifacts:/0/\(runID)/artifacts/model", runID: runID) == nil)
            #expect(await create("s3://bucket/model", runID: nil) == nil)
            let external = try await fixture.registry.manifest(name: "m", version: 2)
            #expect(external.version.storageLocation == nil && external.files.isEmpty)
            #expect(try await fixture.registry.downloadURI(name: "m", version: 2) == "s3://bucket/model")
        }
    }

    @Test("At most one Production version, even when 20 promotions race", arguments: TestDatabases.engines)
    func oneProduction(engine: DatabaseEngine) async throws {
        try await RegistryFixture.with(engine) { fixture in
            let runID = try await fixture.run(files: ["MLmodel": "m"])
            _ = try await fixture.registry.createRegisteredModel(name: "m", description: nil, tags: [], user: "u")
            for _ in 0..<20 { _ = try await fixture.register("m", runID: runID) }
            let registry = fixture.registry
            let outcomes = await withTaskGroup(of: ErrorCode?.self) { group in
                for version in Int64(1)...20 {
                    group.addTask {
                        await errorCode {
                            _ = try await registry.transitionStage(name: "m", version: version, stage: .production, archiveExisting: version % 2 == 0, user: "u")
                        }
                    }
                }
                return await group.reduce(into: [ErrorCode?]()) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0 == nil || $0 == .resourceConflict })
            let versions = try await fixture.registry.searchModelVersions(filter: "name = 'm'", orderBy: [], maxResults: nil, pageToken: nil).items
            #expect(versions.filter { $0.stage == .production }.count == 1)
            #expect(versions.filter { $0.stage == .archived }.count + versions.filter { $0.stage == .none }.count == 19)
            #expect(await errorCode {
                _ = try await fixture.registry.transitionStage(name: "m", version: 1, stage: .archived, archiveExisting: true, user: "u")
            } == .invalidParameterValue)
        }
    }

    @Test("A policy names every unmet rule, counts distinct approvers, and records each step", arguments: TestDatabases.engines)
    func policyAndApprovals(engine: DatabaseEngine) async throws {
        try await RegistryFixture.with(engine) { fixture in
            let runID = try await fixture.run(files: ["MLmodel": "m"], metrics: ["auc": 0.9, "loss": 0.3])
            _ = try await fixture.registry.createRegisteredModel(name: "m", description: nil, tags: [], user: "u")
            let version = try await fixture.register("m", runID: runID).version
            _ = try await fixture.registry.setPolicy(
                name: "m", target: .stage(.production),
                rules: ["metrics.auc >= 0.85", "metrics.loss < 0.2", "tags.validated = 'true'"], requiredApprovals: 2, user: "lead")
            do {
                _ = try await fixture.registry.transitionStage(name: "m", version: version, stage: .production, archiveExisting: false, user: "alice")
                Issue.record("the promotion should have been refused")
            } catch let error as CairnError {
                #expect(error.code == .permissionDenied)
                #expect(!error.message.contains("metrics.auc"))
                #expect(error.message.contains("metrics.loss < 0.2 (the source run has loss = 0.3)"))
                #expect(error.message.contains("tags.validated = 'true' (tag validated is not set)"))
                #expect(error.message.contains("approvals from 2 distinct users (given: none)"))
            }
            #expect(try await fixture.registry.getModelVersion(name: "m", version: version).stage == .none)

            _ = try await fixture.registry.setPolicy(name: "m", target: .stage(.production), rules: ["metrics.auc >= 0.85"], requiredApprovals: 2, user: "lead")
            let request = try await fixture.registry.requestTransition(name: "m", version: version, target: .stage(.production), comment: nil, user: "alice")
            #expect(await errorCode { _ = try await fixture.registry.review(requestID: request.id, approve: true, comment: nil, user: "alice") } == .permissionDenied)
            #expect(try await fixture.registry.review(requestID: request.id, approve: true, comment: nil, user: "bob").status == .pending)
            #expect(try await fixture.registry.review(requestID: request.id, approve: true, comment: nil, user: "carol").status == .applied)
            #expect(try await fixture.registry.getModelVersion(name: "m", version: version).stage == .production)
            #expect(await errorCode { _ = try await fixture.registry.review(requestID: request.id, approve: true, comment: nil, user: "dave") } == .resourceConflict)

            let types = try await fixture.events(subject: "models/m/versions/\(version)").map { "\($0.type) by \($0.actor)" }
            #expect(types == [
                "model_version.created by u", "model_version.promotion_refused by alice", "transition_request.created by alice",
                "transition_request.approved by bob", "transition_request.approved by carol", "model_version.stage_changed by carol",
            ])
        }
    }

    @Test("A rejected request closes and its approvals stop counting", arguments: TestDatabases.engines)
    func rejection(engine: DatabaseEngine) async throws {
        try await RegistryFixture.with(engine) { fixture in
            let runID = try await fixture.run(files: ["MLmodel": "m"])
            _ = try await fixture.registry.createRegisteredModel(name: "m", description: nil, tags: [], user: "u")
            let version = try await fixture.register("m", runID: runID).version
            _ = try await fixture.registry.setPolicy(name: "m", target: .alias("champion"), rules: [], requiredApprovals: 1, user: "lead")
            let request = try await fixture.registry.requestTransition(name: "m", version: version, target: .alias("champion"), comment: nil, user: "alice")
            #expect(try await fixture.registry.review(requestID: request.id, approve: false, comment: "not yet", user: "bob").status == .rejected)
            #expect(await errorCode { try await fixture.registry.setAlias(name: "m", alias: "champion", version: version, user: "alice") } == .permissionDenied)
            let second = try await fixture.registry.requestTransition(name: "m", version: version, target: .alias("champion"), comment: nil, user: "alice")
            #expect(try await fixture.registry.review(requestID: second.id, approve: true, comment: nil, user: "bob").status == .applied)
            #expect(try await fixture.registry.version(name: "m", alias: "champion").version == version)
        }
    }

    @Test("Search filters, orders and pages models and versions", arguments: TestDatabases.engines)
    func search(engine: DatabaseEngine) async throws {
        try await RegistryFixture.with(engine) { fixture in
            let runID = try await fixture.run(files: ["MLmodel": "m"])
            for index in 0..<7 {
                let tags = index % 2 == 0 ? [KeyValue(key: "team", value: "search")] : []
                _ = try await fixture.registry.createRegisteredModel(name: "model-\(index)", description: nil, tags: tags, user: "u")
                _ = try await fixture.register("model-\(index)", runID: runID)
            }
            _ = try await fixture.registry.createRegisteredModel(
                name: "prompt", description: nil, tags: [KeyValue(key: "mlflow.prompt.is_prompt", value: "true")], user: "u")
            let hidePrompts = " AND tag.`mlflow.prompt.is_prompt` != 'true'"
            var names: [String] = []
            var token: String?
            repeat {
                let page = try await fixture.registry.searchRegisteredModels(
                    filter: "name LIKE 'model-%'" + hidePrompts, orderBy: ["name DESC"], maxResults: 3, pageToken: token)
                names += page.items.map(\.name)
                token = page.nextPageToken
            } while token != nil
            #expect(names == (0..<7).reversed().map { "model-\($0)" })
            let tagged = try await fixture.registry.searchRegisteredModels(filter: "tags.team = 'search'", orderBy: [], maxResults: nil, pageToken: nil)
            #expect(tagged.items.map(\.name) == ["model-0", "model-2", "model-4", "model-6"])
            let all = try await fixture.registry.searchRegisteredModels(filter: "name ILIKE '%'" + hidePrompts, orderBy: [], maxResults: nil, pageToken: nil)
            #expect(!all.items.map(\.name).contains("prompt") && all.items.count == 7)
            #expect(await errorCode { _ = try await fixture.registry.searchRegisteredModels(filter: "name = 'a'", orderBy: ["name", "name DESC"], maxResults: nil, pageToken: nil) } == .invalidParameterValue)
            #expect(await errorCode { _ = try await fixture.registry.searchRegisteredModels(filter: "metrics.x > 1", orderBy: [], maxResults: nil, pageToken: nil) } == .invalidParameterValue)
            #expect(await errorCode { _ = try await fixture.registry.searchRegisteredModels(filter: nil, orderBy: [], maxResults: 1001, pageToken: nil) } == .invalidParameterValue)

            let versions = try await fixture.registry.searchModelVersions(
                filter: "run_id = '\(runID)' AND version_number >= 1", orderBy: ["name ASC"], maxResults: nil, pageToken: nil)
            #expect(versions.items.map(\.name) == (0..<7).map { "model-\($0)" })
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
