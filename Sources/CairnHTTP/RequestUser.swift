import Hummingbird

extension Request {
    /// Who is acting, as the `X-Cairn-User` header names them; empty when not sent. Until Cairn
    /// has authentication (a later issue), this is the caller's word, recorded for audit.
    public var cairnUser: String {
        headers[.init("X-Cairn-User")!].map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }
}
