import CairnCore
import CairnTracking

// Wire shapes of MLflow's registry messages (model_registry.proto), snake_case as on the wire.
// Version numbers travel as strings; nil and empty fields are omitted.

struct RegisteredModelDTO: Encodable, Sendable {
    let name: String
    let creation_timestamp: Int64
    let last_updated_timestamp: Int64
    let user_id: String?
    let description: String?
    let latest_versions: [ModelVersionDTO]?
    let tags: [KeyValueDTO]?
    let aliases: [AliasDTO]?

    init(_ model: RegisteredModel) {
        name = model.name
        creation_timestamp = model.creationTimestamp
        last_updated_timestamp = model.lastUpdatedTimestamp
        user_id = model.userID.isEmpty ? nil : model.userID
        description = model.description
        latest_versions = model.latestVersions.nonEmpty?.map(ModelVersionDTO.init)
        tags = model.tags.nonEmpty?.map(KeyValueDTO.init)
        aliases = model.aliases.nonEmpty?.map { AliasDTO(alias: $0.alias, version: String($0.version)) }
    }
}

struct ModelVersionDTO: Encodable, Sendable {
    let name: String
    let version: String
    let creation_timestamp: Int64
    let last_updated_timestamp: Int64
    let user_id: String?
    let current_stage: String
    let description: String?
    let source: String
    let run_id: String?
    let status = "READY"
    let run_link: String?
    let tags: [KeyValueDTO]?
    let aliases: [String]?
    let model_id: String?

    init(_ version: ModelVersion) {
        name = version.name
        self.version = String(version.version)
        creation_timestamp = version.creationTimestamp
        last_updated_timestamp = version.lastUpdatedTimestamp
        user_id = version.userID.isEmpty ? nil : version.userID
        current_stage = version.stage.rawValue
        description = version.description ?? ""  // MLflow sends "" for a version created without one
        source = version.source
        run_id = version.runID
        run_link = version.runLink
        tags = version.tags.nonEmpty?.map(KeyValueDTO.init)
        aliases = version.aliases.nonEmpty
        model_id = version.loggedModelID
    }
}

struct AliasDTO: Encodable, Sendable {
    let alias: String
    let version: String
}

struct RegisteredModelOutput: Encodable, Sendable {
    let registered_model: RegisteredModelDTO
}

struct ModelVersionOutput: Encodable, Sendable {
    let model_version: ModelVersionDTO
}

struct SearchRegisteredModelsOutput: Encodable, Sendable {
    let registered_models: [RegisteredModelDTO]?
    let next_page_token: String?
}

struct SearchModelVersionsOutput: Encodable, Sendable {
    let model_versions: [ModelVersionDTO]?
    let next_page_token: String?
}

struct ModelVersionsOutput: Encodable, Sendable {
    let model_versions: [ModelVersionDTO]?
}

struct DownloadURIOutput: Encodable, Sendable {
    let artifact_uri: String
}
