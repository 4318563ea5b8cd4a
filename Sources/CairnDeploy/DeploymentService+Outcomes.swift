import CairnCore

/// A/B outcomes: a conversion or a label's correctness reported for a request, counted for the
/// arm (revision) that answered it, and the two arms compared.
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

    func abTest(_ deployment: Deployment, rollout: Rollout) async throws -> ABTest {
        let database = self.database
        let outcomes = try await database.read { db in try await DeploymentStore.outcomes(deployment: deployment.name, on: db) }
        let a = ABTest.Arm(revision: rollout.stable, trials: outcomes[rollout.stable]?.trials ?? 0, successes: outcomes[rollout.stable]?.successes ?? 0)
        let b = ABTest.Arm(revision: rollout.candidate, trials: outcomes[rollout.candidate]?.trials ?? 0, successes: outcomes[rollout.candidate]?.successes ?? 0)
        let test = try? TwoProportionZTest(successesA: a.successes, trialsA: a.trials, successesB: b.successes, trialsB: b.trials)
        return ABTest(a: a, b: b, test: test)
    }
}
