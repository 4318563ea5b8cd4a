/// Guesses a file's media type from its name, as Python's `mimetypes` does for MLflow's artifact
/// downloads (unknown types are `application/octet-stream`; `MLmodel` is text).
public enum MediaType {
    private static let byExtension: [String: String] = [
        "txt": "text/plain", "log": "text/plain", "md": "text/markdown", "py": "text/x-python",
        "json": "application/json", "yaml": "application/x-yaml", "yml": "application/x-yaml",
        "csv": "text/csv", "tsv": "text/tab-separated-values", "html": "text/html", "htm": "text/html",
        "xml": "application/xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "svg": "image/svg+xml", "webp": "image/webp", "bmp": "image/bmp", "pdf": "application/pdf",
        "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar",
    ]
    private static let textFileNames: Set<String> = ["MLmodel", "MLproject"]

    public static func forFileName(_ name: String) -> String {
        if textFileNames.contains(name) { return "text/plain" }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "application/octet-stream" }
        return byExtension[name[name.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }
}
