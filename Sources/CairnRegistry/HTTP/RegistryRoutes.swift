import CairnCore
import CairnHTTP
import Hummingbird

/// Cairn's own registry API under `/api/v1`: model details, manifests, promotion policies,
/// transition requests and reviews, and lineage in both directions.
public struct RegistryRoutes<Context: RequestContext>: Sendable {
    let service: RegistryService

    public init(service: RegistryService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.get, path: "/models") { fields, _, _ in
            let page = try await service.searchRegisteredModels(
                filter: try fields.string("filter"), orderBy: try fields.strings("order_by"),
                maxResults: try fields.int64("max_results"), pageToken: try fields.string("page_token"))
            return SearchRegisteredModelsOutput(registered_models: page.items.map(RegisteredModelDTO.init), next_page_token: page.nextPageToken)
        }
        routes.json(.get, path: "/models/{name}") { _, _, context in
            let name = try context.modelName()
            let model = try await service.getRegisteredModel(name: name)
            let versions = try await service.searchModelVersions(filter: "name = '\(name.replacingOccurrences(of: "'", with: "''"))'",
                                                                 orderBy: ["version_number DESC"], maxResults: 200_000, pageToken: nil)
            return ModelDetailOutput(registered_model: RegisteredModelDTO(model), model_versions: versions.items.map(ModelVersionDTO.init),
                                     policies: try await service.policies(name: name).map(PolicyDTO.init))
        }
        routes.json(.get, path: "/models/{name}/versions/{version}") { _, _, context in
            ModelVersionOutput(model_version: ModelVersionDTO(try await service.getModelVersion(name: try context.modelName(), version: try context.version())))
        }
        routes.json(.get, path: "/models/{name}/versions/{version}/manifest") { _, _, context in
            let (version, files) = try await service.manifest(name: try context.modelName(), version: try context.version())
            return ManifestOutput(name: version.name, version: String(version.version), storage_location: version.storageLocation,
                                  immutable: version.storageLocation != nil, files: files, total_bytes: files.reduce(0) { $0 + $1.size })
        }
        routes.json(.post, path: "/models/{name}/versions/{version}/promote") { fields, request, context in
            let name = try context.modelName(), number = try context.version()
            let version: ModelVersion
            switch try fields.promotionTarget() {
            case .stage(let stage):
                version = try await service.transitionStage(name: name, version: number, stage: stage,
                                                            archiveExisting: try fields.bool("archive_existing_versions") ?? false, user: request.cairnUser)
            case .alias(let alias):
                try await service.setAlias(name: name, alias: alias, version: number, user: request.cairnUser)
                version = try await service.getModelVersion(name: name, version: number)
            }
            return ModelVersionOutput(model_version: ModelVersionDTO(version))
        }
        routes.json(.get, path: "/models/{name}/policies") { _, _, context in
            PoliciesOutput(policies: try await service.policies(name: try context.modelName()).map(PolicyDTO.init))
        }
        routes.json(.put, path: "/models/{name}/policies/{kind}/{target}") { fields, request, context in
            guard let approvals = Int(exactly: try fields.int64("required_approvals") ?? 0) else {
                throw CairnError.invalidParameter("'required_approvals' is out of range.")
            }
            let policy = try await service.setPolicy(name: try context.modelName(), target: try context.policyTarget(),
                                                     rules: try fields.strings("rules"), requiredApprovals: approvals, user: request.cairnUser)
            return PolicyOutput(policy: PolicyDTO(policy))
        }
        routes.json(.delete, path: "/models/{name}/policies/{kind}/{target}") { _, request, context in
            try await service.deletePolicy(name: try context.modelName(), target: try context.policyTarget(), user: request.cairnUser)
            return EmptyResponse()
        }
        routes.json(.post, path: "/models/{name}/versions/{version}/transition-requests") { fields, request, context in
            let created = try await service.requestTransition(
                name: try context.modelName(), version: try context.version(), target: try fields.promotionTarget(),
                comment: try fields.string("comment"), user: request.cairnUser)
            return TransitionRequestOutput(transition_request: TransitionRequestDTO(created))
        }
        routes.json(.get, path: "/models/{name}/transition-requests") { fields, _, context in
            let status = try fields.string("status").map { text in
                guard let status = TransitionRequest.Status(rawValue: text) else {
                    throw CairnError.invalidParameter("Invalid status '\(text)': expected pending, applied or rejected.")
                }
                return status
            }
            let requests = try await service.transitionRequests(
                name: try context.modelName(), version: try fields.string("version").map(RegistryValidation.version), status: status)
            return TransitionRequestsOutput(transition_requests: requests.map(TransitionRequestDTO.init))
        }
        routes.json(.get, path: "/transition-requests/{id}") { _, _, context in
            TransitionRequestOutput(transition_request: TransitionRequestDTO(try await service.transitionRequest(id: try context.pathParameter("id"))))
        }
        for (action, approve) in [("approve", true), ("reject", false)] {
            routes.json(.post, path: "/transition-requests/{id}/\(action)") { fields, request, context in
                let reviewed = try await service.review(requestID: try context.pathParameter("id"), approve: approve,
                                                        comment: try fields.string("comment"), user: request.cairnUser)
                return TransitionRequestOutput(transition_request: TransitionRequestDTO(reviewed))
            }
        }
        routes.json(.get, path: "/lineage/models/{name}/versions/{version}") { _, _, context in
            LineageOutput(try await service.lineage(name: try context.modelName(), version: try context.version()))
        }
        routes.json(.get, path: "/lineage/runs/{run_id}/model-versions") { _, _, context in
            ModelVersionsOutput(model_versions: try await service.versions(builtFromRuns: [try context.pathParameter("run_id")]).map(ModelVersionDTO.init))
        }
        routes.json(.get, path: "/lineage/datasets/{digest}/model-versions") { _, _, context in
            ModelVersionsOutput(model_versions: try await service.versions(builtFromDatasetDigest: try context.pathParameter("digest")).map(ModelVersionDTO.init))
        }
    }
}

extension RequestContext {
    func modelName() throws -> String {
        try pathParameter("name")
    }

    func version() throws -> Int64 {
        try RegistryValidation.version(try pathParameter("version"))
    }

    /// `/policies/stage/Production` or `/policies/alias/champion`.
    func policyTarget() throws -> PromotionTarget {
        let value = try pathParameter("target")
        switch try pathParameter("kind") {
        case "stage":
            guard let stage = ModelStage(clientName: value) else { throw RegistryService.invalidStage(value) }
            return .stage(stage)
        case "alias": return .alias(value)
        case let kind: throw CairnError.invalidParameter("Invalid policy target kind '\(kind)': expected 'stage' or 'alias'.")
        }
    }
}

extension RequestFields {
    /// `{"stage": "Production"}` or `{"alias": "champion"}`: exactly one.
    func promotionTarget() throws -> PromotionTarget {
        switch (try string("stage"), try string("alias")) {
        case (let stage?, nil):
            guard let parsed = ModelStage(clientName: stage) else { throw RegistryService.invalidStage(stage) }
            return .stage(parsed)
        case (nil, let alias?): return .alias(alias)
        default: throw CairnError.invalidParameter("Give exactly one of 'stage' and 'alias'.")
        }
    }
}
