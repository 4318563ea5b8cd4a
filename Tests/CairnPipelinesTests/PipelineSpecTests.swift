import Foundation
@testable import CairnPipelines
import Testing

@Suite("Pipeline specs")
struct PipelineSpecTests {
    static let example = """
        name: churn
        params:
          samples: 2000
          mode: {type: string, default: full}
          variants: {type: list, default: [0.1, 1, 10]}
        schedule: "30 3 * * 1-5"
        triggers:
          - event: model_version.created
        steps:
          prepare:
            command: python prepare.py --n {{params.samples}} --out {{outputs.data}}
            outputs: [data]
            resources: {cpu: 2, memory: 2Gi}
          train:
            foreach: params.variants
            inputs: {data: steps.prepare.outputs.data}
            command: python train.py --c {{item}} --data {{inputs.data}} --out {{outputs.model}}
            outputs: [model]
            retry: {attempts: 4, initial_delay: 500ms, multiplier: 3, max_delay: 5s}
            timeout: 10m
            priority: 5
          evaluate:
            inputs: {models: steps.train.outputs.model}
            command: python evaluate.py {{inputs.models}}
          register:
            needs: [evaluate]
            when: steps.evaluate.metrics.auc > 0.85 and params.mode == "full"
            command: python register.py
            cache: false
        """

    @Test("A full spec parses with types, defaults, resources, retry and implicit dependencies")
    func parses() throws {
        let spec = try PipelineSpecParser.parse(yaml: Self.example)
        #expect(spec.params.map(\.kind) == [.int, .string, .list])
        #expect(spec.param(named: "variants")?.defaultValue == .list([.number(0.1), .number(1), .number(10)]))
        let train = try #require(spec.step(named: "train"))
        #expect(train.dependencies == ["prepare"])
        #expect(train.foreach == .param("variants"))
        #expect(train.retry == RetryPolicy(attempts: 4, initialDelaySeconds: 0.5, multiplier: 3, maxDelaySeconds: 5))
        #expect(train.retry.delay(afterAttempt: 1) == 0.5 && train.retry.delay(afterAttempt: 2) == 1.5 && train.retry.delay(afterAttempt: 4) == 5)
        #expect(train.timeoutSeconds == 600 && train.priority == 5)
        #expect(spec.step(named: "prepare")?.resources == ResourceSpec(cpu: 2, memoryBytes: 2 << 30, gpu: 0))
        #expect(spec.step(named: "evaluate")?.dependencies == ["train"])
        #expect(spec.step(named: "register")?.cache == false)
        #expect(spec.triggers == [TriggerSpec(event: "model_version.created", params: [:])])
    }

    @Test("Errors name the step and field", arguments: [
        ("steps:\n  a: {command: x, needs: [c]}\n  b: {command: y, needs: [a]}\n  c: {command: z, needs: [b]}", "steps.a: dependency cycle: a → c → b → a"),
        ("steps:\n  a: {command: x, needs: [a]}", "steps.a.needs: a step cannot need itself"),
        ("steps:\n  a: {command: x, foreach: params.n}", "steps.a.foreach: unknown parameter 'n'"),
        ("params: {n: 3}\nsteps:\n  a: {command: x, foreach: params.n}", "steps.a.foreach: parameter 'n' is a int, not a list"),
        ("steps:\n  a: {command: 'echo {{item}}'}", "steps.a.command: unknown placeholder '{{item}}' ('item' is only set in a foreach step)"),
        ("steps:\n  a: {command: x, when: 'params.nope == 1'}", "steps.a.when: unknown parameter 'nope'"),
        ("steps:\n  a: {command: x, resources: {memory: lots}}", "steps.a.resources.memory: expected a size like 512Mi or 2Gi, got 'lots'"),
        ("steps:\n  a: {command: x, retry: {attempts: 0}}", "steps.a.retry.attempts: must be between 1 and 100"),
        ("steps:\n  a: {command: x}\n  a: {command: y}", "duplicated key(s): 'a'"),
        ("steps:\n  a: {command: x, inputs: {d: 's3://bucket/x'}}", "steps.a.inputs.d: 's3://bucket/x' is not an input source"),
        ("triggers: [{event: drift}]\nsteps:\n  a: {command: x}", "triggers[0].event: unknown event 'drift'"),
        ("steps: {}", "steps: at least one step is required"),
        ("steps:\n  a: {}", "steps.a.command: required"),
        ("steps: [", "not valid YAML"),
    ])
    func errors(body: String, expected: String) {
        do {
            _ = try PipelineSpecParser.parse(yaml: "name: p\n" + body)
            Issue.record("accepted: \(body)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test("Cron schedules find the next firing time")
    func cron() throws {
        let schedule = try CronSchedule("30 3 * * 1-5")
        let sunday = Date(timeIntervalSince1970: 1_794_700_800)  // 2026-11-15 00:00 UTC, a Sunday
        let next = try #require(schedule.next(after: sunday))
        let mondayHalfPastThree: Double = 1_794_700_800 + 86_400 + 12_600
        #expect(next.timeIntervalSince1970 == mondayHalfPastThree)
        #expect(try CronSchedule("*/15 * * * *").next(after: Date(timeIntervalSince1970: 60))?.timeIntervalSince1970 == 900)
        #expect(throws: CronSchedule.Invalid.self) { try CronSchedule("* * *") }
    }

    @Test("Fan-out expands per item; parameters are checked and coerced")
    func expansion() throws {
        let spec = try PipelineSpecParser.parse(yaml: Self.example)
        let params = try PipelineService.resolve(params: ["samples": .string("500"), "variants": .string("1,2")], for: spec)
        let expectedVariants: ExpressionValue = .list([.number(1), .number(2)])
        #expect(params["samples"] == .number(500))
        #expect(params["variants"] == expectedVariants)
        let steps = try PipelineService.expand(spec, params: params)
        #expect(steps.map(\.stepKey) == ["prepare", "train[0]", "train[1]", "evaluate", "register"])
        #expect(throws: (any Error).self) { try PipelineService.resolve(params: ["samples": .string("many")], for: spec) }
        #expect(throws: (any Error).self) { try PipelineService.resolve(params: ["unknown": .number(1)], for: spec) }
    }

    @Test("The cache key changes with params and input content, not with the run")
    func cacheKey() throws {
        let step = try #require(try PipelineSpecParser.parse(yaml: Self.example).step(named: "train"))
        let base = try CacheKey.compute(step: step, params: ["samples": .number(1)], item: .number(1), inputHashes: ["data": ["a.csv": "aa"]])
        #expect(base == (try CacheKey.compute(step: step, params: ["samples": .number(1)], item: .number(1), inputHashes: ["data": ["a.csv": "aa"]])))
        #expect(base != (try CacheKey.compute(step: step, params: ["samples": .number(1)], item: .number(2), inputHashes: ["data": ["a.csv": "aa"]])))
        #expect(base != (try CacheKey.compute(step: step, params: ["samples": .number(1)], item: .number(1), inputHashes: ["data": ["a.csv": "ab"]])))
    }

    @Test("Export: an Argo Workflow and Kubernetes Jobs with resources, retries and fan-out")
    func export() throws {
        var spec = try PipelineSpecParser.parse(yaml: Self.example)
        spec.steps.removeLast()  // conditions on MLflow metrics cannot be exported to Argo
        let argo = try PipelineExporter.export(spec, format: .argo, image: "python:3.11-slim")
        #expect(argo.hasPrefix("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"))
        #expect(argo.contains("withParam: '{{workflow.parameters.variants}}'") || argo.contains("withParam: \"{{workflow.parameters.variants}}\""))
        #expect(argo.contains("limit: 3") && argo.contains("activeDeadlineSeconds: 600") && argo.contains("memory: 2Gi"))
        let jobs = try PipelineExporter.export(spec, format: .k8sJob, image: "python:3.11-slim")
        #expect(jobs.components(separatedBy: "kind: Job").count - 1 == 5)  // prepare, train ×3, evaluate
        #expect(jobs.contains("backoffLimit: 3") && jobs.contains("restartPolicy: Never"))
        let full = try PipelineSpecParser.parse(yaml: Self.example)
        #expect(throws: PipelineExportError.self) { try PipelineExporter.export(full, format: .argo, image: "x") }
    }
}
