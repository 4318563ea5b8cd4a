import CairnCore
import Foundation

/// MLflow's opaque page token: base64 of `{"offset": N}`. Clients send it back verbatim.
package enum PageToken {
    package static func offset(from token: String?) throws -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let data = Data(base64Encoded: token) else {
            throw CairnError.invalidParameter("Invalid page token, could not base64-decode")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let offset = object["offset"] as? Int, offset >= 0
        else {
            throw CairnError.invalidParameter("Invalid page token, decoded value=\(String(decoding: data, as: UTF8.self))")
        }
        return offset
    }

    package static func token(forOffset offset: Int) -> String {
        Data("{\"offset\": \(offset)}".utf8).base64EncodedString()
    }
}

/// One page of results and the token for the next, absent on the last page.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextPageToken: String?

    /// Builds a page from `limit + 1` fetched rows: the extra row only tells that more exist.
    package init(fetched: [Item], offset: Int, limit: Int) {
        if fetched.count > limit {
            items = Array(fetched.prefix(limit))
            nextPageToken = PageToken.token(forOffset: offset + limit)
        } else {
            items = fetched
            nextPageToken = nil
        }
    }

    package init(items: [Item], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}
