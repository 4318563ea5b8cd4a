import CairnCore
import CairnMonitoring

/// What happened to requests: A/B outcomes (a conversion or a label's correctness counted for
/// the arm that answered, the two arms compared) and the logged predictions.
extension DeploymentService {
    /// Records one outcome for the revision `routingKey` is assigned to (or `revision`, if given).
    /// Returns the revision it was counted for.
    public func recordOutcome(name: String, routingKey: String?, revision: Int?, success: Bool) async throws -> Int {
        let deployment = try await deployment(name: name)
        guard let rollout = deployment.progress.rollout, rollout.strategy == .ab else {
            throw CairnError.conflict("Deployment '\(name)' has no A/B test running.")
        }
        guard (routingKey == nil) != (revision == nil) else { throw CairnError.invalidParameter("Give exactly one of routing_key or revision.") }
        let arm = revision ?? deployment.split.revision(forKey: routingKey)
        guard arm == rollout.stable || arm == rollout.candidate else {
            throw CairnError.invalidParameter("Revision \(arm) is not an arm of the A/B test (revisions \(rollout.stable) and \(rollout.candidate)).")
        }
        let database = self.database
        try await database.write { db in try await DeploymentStore.addOutcome(deployment: name, revision: arm, success: success, on: db) }
        return arm
    }

    /// The newest logged predictions of `name`, before `before` (milliseconds), newest first.
    public func predictions(name: String, before: Int64?, limit: Int) async throws -> [PredictionRecord] {
        _ = try await deployment(name: name)
        guard (1...1_000).contains(limit) else { throw CairnError.invalidParameter("limit is from 1 to 1000 (got \(limit)).") }
        let database = self.database
        return try await database.read { db in try await PredictionLogStore.records(deployment: name, before: before, limit: limit, on: db) }
    }

    func abTest(_ deployment: Deployment, rollout: Rollout) async throws -> ABTest {
        let database = self.database
        let outcomes = try await database.read { db in try await DeploymentStore.outcomes(deployment: deployment.name, on: db) }
        let a = ABTest.Arm(revision: rollout.stable, trials: outcomes[rollout.stable]?.trials ?? 0, successes: outcomes[rollout.stable]?.successes ?? 0)
        let b = ABTest.Arm(revision: rollout.candidate, trials: outcomes[rollout.candidate]?.trials ?? 0, successes: outcomes[rollout.candidate]?.successes ?? 0)
        let test = try? TwoProportionZTest(successesA: a.successes, trialsA: a.trials, successesB: b.successes, trialsB: b.trials)
        return ABTest(a: a, b: b, test: test)
    }
}
