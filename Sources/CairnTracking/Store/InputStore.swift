import CairnCore
import Foundation
import SQLKit

/// SQL for what runs consume and produce: datasets (shared per experiment), model inputs and outputs.
enum InputStore {
    static func logDatasetInputs(_ inputs: [DatasetInput], runID: String, experimentID: Int64, on db: any SQLDatabase) async throws {
        for input in inputs {
            let dataset = input.dataset
            try await db.raw("""
                INSERT INTO datasets (dataset_id, experiment_id, name, digest, source_type, source, dataset_schema, profile)
                VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: experimentID), \(bind: dataset.name), \(bind: dataset.digest),
                        \(bind: dataset.sourceType), \(bind: dataset.source), \(bind: dataset.schema), \(bind: dataset.profile))
                ON CONFLICT (experiment_id, name, digest) DO NOTHING
                """).run()
            guard let row = try await db.raw("""
                SELECT dataset_id FROM datasets
                WHERE experiment_id = \(bind: experimentID) AND name = \(bind: dataset.name) AND digest = \(bind: dataset.digest)
                """).first() else { throw CairnError.internalError("Dataset row vanished while logging inputs") }
            let datasetID = try row.decode(column: "dataset_id", as: String.self)
            let tagsJSON = String(decoding: try JSONEncoder().encode(input.tags), as: UTF8.self)
            let context = input.tags.first { $0.key == "mlflow.data.context" }?.value
            try await db.raw("""
                INSERT INTO run_dataset_inputs (run_id, dataset_id, tags_json, context)
                VALUES (\(bind: runID), \(bind: datasetID), \(bind: tagsJSON), \(bind: context))
                ON CONFLICT (run_id, dataset_id) DO UPDATE SET tags_json = excluded.tags_json, context = excluded.context
                """).run()
        }
    }

    static func logModelInputs(_ modelIDs: [String], runID: String, on db: any SQLDatabase) async throws {
        guard !modelIDs.isEmpty else { return }
        var insert = db.insert(into: "run_model_inputs").columns("run_id", "model_id")
        for modelID in modelIDs { insert = insert.values([runID, modelID]) }
        try await insert.ignoringConflicts(with: ["run_id", "model_id"]).run()
    }

    static func logModelOutputs(_ outputs: [ModelOutput], runID: String, on db: any SQLDatabase) async throws {
        guard !outputs.isEmpty else { return }
        var insert = db.insert(into: "run_model_outputs").columns("run_id", "model_id", "step")
        for output in outputs { insert = insert.values([runID, output.modelID, output.step]) }
        try await insert.ignoringConflicts(with: ["run_id", "model_id", "step"]).run()
    }

    static func datasetInputs(runIDs: [String], on db: any SQLDatabase) async throws -> [String: [DatasetInput]] {
        let rows = try await db.raw("""
            SELECT i.run_id, i.tags_json, d.name, d.digest, d.source_type, d.source, d.dataset_schema, d.profile
            FROM run_dataset_inputs i JOIN datasets d ON d.dataset_id = i.dataset_id
            WHERE i.run_id IN (\(binds: runIDs)) ORDER BY d.name, d.digest
            """).all()
        var result: [String: [DatasetInput]] = [:]
        for row in rows {
            let tagsJSON = try row.decode(column: "tags_json", as: String.self)
            let tags = (try? JSONDecoder().decode([KeyValue].self, from: Data(tagsJSON.utf8))) ?? []
            let dataset = Dataset(
                name: try row.decode(column: "name", as: String.self),
                digest: try row.decode(column: "digest", as: String.self),
                sourceType: try row.decode(column: "source_type", as: String.self),
                source: try row.decode(column: "source", as: String.self),
                schema: try row.decode(column: "dataset_schema", as: String?.self),
                profile: try row.decode(column: "profile", as: String?.self))
            result[try row.decode(column: "run_id", as: String.self), default: []].append(DatasetInput(tags: tags, dataset: dataset))
        }
        return result
    }

    static func modelInputs(runIDs: [String], on db: any SQLDatabase) async throws -> [String: [String]] {
        let rows = try await db.raw("SELECT run_id, model_id FROM run_model_inputs WHERE run_id IN (\(binds: runIDs)) ORDER BY model_id").all()
        var result: [String: [String]] = [:]
        for row in rows {
            result[try row.decode(column: "run_id", as: String.self), default: []].append(try row.decode(column: "model_id", as: String.self))
        }
        return result
    }

    static func modelOutputs(runIDs: [String], on db: any SQLDatabase) async throws -> [String: [ModelOutput]] {
        let rows = try await db.raw("SELECT run_id, model_id, step FROM run_model_outputs WHERE run_id IN (\(binds: runIDs)) ORDER BY step, model_id").all()
        var result: [String: [ModelOutput]] = [:]
        for row in rows {
            result[try row.decode(column: "run_id", as: String.self), default: []].append(ModelOutput(
                modelID: try row.decode(column: "model_id", as: String.self), step: try row.decode(column: "step", as: Int64.self)))
        }
        return result
    }
}
