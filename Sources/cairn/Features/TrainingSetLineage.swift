import CairnFeatures
import Crypto
import Foundation

/// Records a training set on an MLflow run, through the tracking API the mlflow client uses: the
/// CSV as the run's artifact `features/<file>`, and a dataset input naming the feature
/// repository's project, its applied version and the features, so the model trained in that run
/// shows which features and which definitions it learned from.
struct TrainingSetLineage {
    let client: CairnAPIClient

    struct RunAnswer: Decodable {
        struct Run: Decodable {
            struct Info: Decodable {
                let artifact_uri: String
            }

            let info: Info
        }

        let run: Run
    }

    struct RepositoryAnswer: Decodable {
        let version: Int
        let yaml: String
    }

    struct LogInputs: Encodable {
        struct Input: Encodable {
            struct Tag: Encodable {
                let key: String
                let value: String
            }

            struct Dataset: Encodable {
                let name: String
                let digest: String
                let source_type: String
                let source: String
                let schema: String
            }

            let tags: [Tag]
            let dataset: Dataset
        }

        let run_id: String
        let datasets: [Input]
    }

    func record(_ table: CSVTable, runID: String, repository: FeatureRepository, yaml: String, features: [String], fileName: String) async throws {
        let run = try JSONDecoder().decode(RunAnswer.self, from: try await client.sendRaw("GET", "/api/2.0/mlflow/runs/get", query: ["run_id": runID]))
        guard run.run.info.artifact_uri.hasPrefix("mlflow-artifacts:/") else {
            throw CairnAPIError(status: 0, code: "INVALID_STATE", message: "Run \(runID) stores artifacts at \(run.run.info.artifact_uri), not through this server.")
        }
        let csv = Data(table.csv().utf8)
        let folder = run.run.info.artifact_uri.dropFirst("mlflow-artifacts:/".count)
        _ = try await client.sendRaw("PUT", "/api/2.0/mlflow-artifacts/artifacts/\(folder)/features/\(fileName)", payload: csv)
        // The applied version when the local repository is the applied one; else the definitions are not on the server.
        let applied = try? JSONDecoder().decode(RepositoryAnswer.self,
                                                from: try await client.sendRaw("GET", "/api/v1/features/repository", query: ["project": repository.project]))
        let source: [String: String] = ["project": repository.project, "features": features.joined(separator: ","),
                                         "version": applied.map { $0.yaml == yaml ? String($0.version) : "unapplied" } ?? "unapplied",
                                         "uri": "\(run.run.info.artifact_uri)/features/\(fileName)"]
        let schema = ["mlflow_colspec": table.header.map { ["name": $0, "type": "string"] }]
        let digest = SHA256.hash(data: csv).map { String(format: "%02x", $0) }.joined().prefix(16)
        let inputs = LogInputs(run_id: runID, datasets: [.init(
            tags: [.init(key: "mlflow.data.context", value: "training")],
            dataset: .init(name: "features-\(repository.project)", digest: String(digest), source_type: "cairn-features",
                           source: String(decoding: try JSONSerialization.data(withJSONObject: source, options: .sortedKeys), as: UTF8.self),
                           schema: String(decoding: try JSONSerialization.data(withJSONObject: schema, options: .sortedKeys), as: UTF8.self)))])
        _ = try await client.sendRaw("POST", "/api/2.0/mlflow/runs/log-inputs", body: inputs)
    }
}
