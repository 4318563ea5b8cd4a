import CairnCore

/// The MLflow error code `body` throws; nil when it succeeds, INTERNAL_ERROR for a non-Cairn error.
public func errorCode(of body: () async throws -> Void) async -> ErrorCode? {
    do {
        try await body()
        return nil
    } catch let error as CairnError {
        return error.code
    } catch {
        return .internalError
    }
}
