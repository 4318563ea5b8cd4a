import CairnStorage
import Foundation
import SQLKit

/// The reference dataset of each model version, as JSON.
public enum ReferenceStore {
    public static let migrations: [Migration] = [
        Migration(module: "monitoring", version: 2, name: "reference datasets", statements: [
            """
            CREATE TABLE reference_datasets (
                model_name TEXT NOT NULL,
                model_version BIGINT NOT NULL,
                dataset_json TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (model_name, model_version))
            """,
        ]),
    ]

    /// Attaches `dataset` to the model version, replacing any earlier one.
    public static func save(_ dataset: ReferenceDataset, model: String, version: Int64, at time: Int64, on db: any SQLDatabase) async throws {
        let json = String(decoding: try JSONEncoder().encode(dataset), as: UTF8.self)
        try await db.raw("DELETE FROM reference_datasets WHERE model_name = \(bind: model) AND model_version = \(bind: version)").run()
        try await db.raw("""
            INSERT INTO reference_datasets (model_name, model_version, dataset_json, created_at)
            VALUES (\(bind: model), \(bind: version), \(bind: json), \(bind: time))
            """).run()
    }

    public static func dataset(model: String, version: Int64, on db: any SQLDatabase) async throws -> ReferenceDataset? {
        guard let row = try await db.raw("""
            SELECT dataset_json FROM reference_datasets WHERE model_name = \(bind: model) AND model_version = \(bind: version)
            """).first() else { return nil }
        return try JSONDecoder().decode(ReferenceDataset.self, from: Data(try row.decode(column: "dataset_json", as: String.self).utf8))
    }
}
