import CairnCore
import Hummingbird

extension RequestContext {
    /// A path parameter, percent-decoded (the router hands them out still encoded, so a model
    /// named `churn model` arrives as `churn%20model`).
    public func pathParameter(_ name: String) throws -> String {
        let raw: String = try parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw CairnError.invalidParameter("Invalid percent-encoding in the '\(name)' path segment: '\(raw)'.")
        }
        return decoded
    }
}
