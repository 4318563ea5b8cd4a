/// The deployment answers of `/api/v1/deployments`, as the CLI reads them.
struct DeploymentJSON: Decodable {
    struct Replica: Decodable {
        let url: String
        let ready: Bool
    }

    struct Revision: Decodable {
        let revision: Int
        let model_name: String
        let model_version: Int64
        let percent: Int
        let replicas: [Replica]
        let requests: Int?
        let errors: Int?
    }

    struct Rollout: Decodable {
        let strategy: String
        let stable_revision: Int
        let candidate_revision: Int
        let step_percent: Int?
        let paused: Bool
        let verdict: String?
    }

    struct Event: Decodable {
        let time: Int64
        let message: String
    }

    let name: String
    let model_name: String
    let model_version: Int64?
    let model_alias: String?
    let strategy: String
    let replicas: Int
    let revisions: [Revision]
    let rollout: Rollout?
    let events: [Event]?

    /// What it serves: `name version 3` or `name@alias (version 3)`.
    var serving: String {
        let live = revisions.first { $0.percent == 100 }?.model_version
        if let model_alias { return "\(model_name)@\(model_alias)" + (live.map { " (version \($0))" } ?? "") }
        return "\(model_name) version \(model_version ?? live ?? 0)"
    }

    /// One line per revision: traffic share and replicas ready.
    var revisionTable: String {
        TextTable(["REVISION", "MODEL VERSION", "TRAFFIC", "REPLICAS READY", "REQUESTS", "ERRORS"], revisions.map {
            [String($0.revision), String($0.model_version), "\($0.percent) %", "\($0.replicas.filter(\.ready).count)/\($0.replicas.count)",
             String($0.requests ?? 0), String($0.errors ?? 0)]
        }).render()
    }

    /// What it serves, the rollout in progress, the revisions, and the last few events.
    var statusText: String {
        var lines = ["\(name) serves \(serving) (\(strategy))"]
        if let rollout {
            let step = rollout.step_percent.map { " at \($0) %" } ?? ""
            lines.append("rollout: \(rollout.strategy) of revision \(rollout.candidate_revision) against \(rollout.stable_revision)\(step)"
                         + (rollout.paused ? ", paused" : "") + (rollout.verdict.map { " — \($0)" } ?? ""))
        }
        lines.append(revisionTable)
        for event in (events ?? []).suffix(5) { lines.append("  \(event.message)") }
        return lines.joined(separator: "\n")
    }
}

struct DeploymentEnvelope: Decodable {
    let deployment: DeploymentJSON
}

struct DeploymentsEnvelope: Decodable {
    let deployments: [DeploymentJSON]
}

/// The body of `POST /api/v1/deployments`: the model and the options, at one level.
struct DeploymentRequest: Encodable {
    let name: String
    let model_name: String
    let model_version: Int64?
    let model_alias: String?
    let options: DeploymentOptionsBody

    enum CodingKeys: String, CodingKey { case name, model_name, model_version, model_alias }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(model_name, forKey: .model_name)
        try container.encodeIfPresent(model_version, forKey: .model_version)
        try container.encodeIfPresent(model_alias, forKey: .model_alias)
        try options.encode(to: encoder)
    }
}

/// The body of `POST /api/v1/deployments/<name>/update`.
struct DeploymentUpdate: Encodable {
    let model_version: Int64?
    let model_alias: String?
    let options: DeploymentOptionsBody

    enum CodingKeys: String, CodingKey { case model_version, model_alias }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(model_version, forKey: .model_version)
        try container.encodeIfPresent(model_alias, forKey: .model_alias)
        try options.encode(to: encoder)
    }
}

/// The body of `POST /api/v1/deployments/<name>/traffic`.
struct TrafficRequest: Encodable {
    let percents: [String: Int]
}
