import CairnDeploy
import Foundation
import Testing

@Suite("Deployment specs")
struct DeploymentSpecTests {
    @Test("A spec stored before the rollout and autoscaling options existed reads back with their defaults")
    func oldSpecsDecode() throws {
        let stored = #"{"maxBatchSize":1,"maxBatchWaitMilliseconds":5,"modelName":"churn","modelVersion":3,"name":"churn","replicas":2,"strategy":"blue_green","threads":1}"#
        let spec = try JSONDecoder().decode(DeploymentSpec.self, from: Data(stored.utf8))
        #expect(spec.replicas == 2 && spec.maxReplicas == 2 && !spec.autoscales)
        #expect(spec.canary == CanaryPolicy() && spec.abPercent == 50 && spec.keepPreviousSeconds == 300)
        let again = try JSONDecoder().decode(DeploymentSpec.self, from: JSONEncoder().encode(spec))
        #expect(again == spec)
    }

    @Test("Options out of range are refused with the field's name")
    func invalidOptions() {
        func refusal(_ change: (inout DeploymentSpec) -> Void) -> String? {
            var spec = DeploymentSpec(name: "churn", modelName: "churn", modelVersion: 1, modelAlias: nil)
            change(&spec)
            do { try spec.validate(); return nil } catch { return error.message }
        }
        #expect(refusal { _ in } == nil)
        #expect(refusal { $0.abPercent = 100 }?.contains("ab_percent") == true)
        #expect(refusal { $0.shadowPercent = 0 }?.contains("shadow_percent") == true)
        #expect(refusal { $0.maxReplicas = 33 }?.contains("max_replicas") == true)
        #expect(refusal { $0.replicas = 0; $0.maxReplicas = 0 }?.contains("max_replicas") == true)  // scale to zero needs a maximum of 1 or more
        #expect(refusal { $0.replicas = 0; $0.maxReplicas = 2 } == nil)
        #expect(refusal { $0.canary.steps = [.init(percent: 50, seconds: 1)] }?.contains("100") == true)
        #expect(refusal { $0.targetConcurrency = 0 }?.contains("targetConcurrency") == true)
    }
}
