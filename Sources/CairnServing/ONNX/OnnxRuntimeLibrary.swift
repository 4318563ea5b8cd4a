import COnnxRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// ONNX Runtime opened at run time with `dlopen`: the `libonnxruntime.so` that ships inside the
/// `onnxruntime` Python wheel, found (in this order) at an explicit path, at
/// `$CAIRN_ONNXRUNTIME_LIB`, or by asking a Python installation where its `onnxruntime` package
/// lives. One process-wide environment is shared by every session.
public final class OnnxRuntimeLibrary: @unchecked Sendable {
    // @unchecked: the handles are created once and only read afterwards; ORT's environment and
    // API table are thread-safe.
    let api: UnsafePointer<OrtApi>
    let environment: OpaquePointer
    let cpuMemory: OpaquePointer
    public let version: String
    public let path: String

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw LoadError(description: "cannot load ONNX Runtime from \(path): \(String(cString: dlerror()))")
        }
        guard let symbol = dlsym(handle, "OrtGetApiBase") else {
            throw LoadError(description: "\(path) is not ONNX Runtime (no OrtGetApiBase)")
        }
        let getApiBase = unsafeBitCast(symbol, to: CairnOrtGetApiBaseFunction.self)
        guard let base = getApiBase(), let api = base.pointee.GetApi(UInt32(CAIRN_ORT_API_VERSION)) else {
            throw LoadError(description: "\(path) does not offer ONNX Runtime API version \(CAIRN_ORT_API_VERSION)")
        }
        self.api = api
        self.path = path
        version = base.pointee.GetVersionString().map { String(cString: $0) } ?? "unknown"
        var environment: OpaquePointer?
        try OnnxRuntimeLibrary.check(api, api.pointee.CreateEnv(CAIRN_ORT_LOGGING_LEVEL_ERROR, "cairn", &environment))
        var memory: OpaquePointer?
        try OnnxRuntimeLibrary.check(api, api.pointee.CreateCpuMemoryInfo(CAIRN_ORT_ARENA_ALLOCATOR, CAIRN_ORT_MEM_TYPE_DEFAULT, &memory))
        guard let environment, let memory else { throw LoadError(description: "ONNX Runtime returned no environment") }
        self.environment = environment
        cpuMemory = memory
    }

    /// Finds the library: `explicit`, then `$CAIRN_ONNXRUNTIME_LIB`, then `python -c "import onnxruntime"`
    /// with each of `pythons` (default: python3, then python, as found on PATH).
    public static func locate(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                              pythons: [String] = ["python3", "python"]) throws -> String {
        if let explicit { return explicit }
        if let fromEnvironment = environment["CAIRN_ONNXRUNTIME_LIB"], !fromEnvironment.isEmpty { return fromEnvironment }
        for python in pythons {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, "-c", "import onnxruntime, os; print(os.path.join(os.path.dirname(onnxruntime.__file__), 'capi'))"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { continue }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { continue }
            let folder = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let candidates = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            if let library = candidates.filter({ $0.hasPrefix("libonnxruntime.so") }).sorted(by: { $0.count > $1.count }).first {
                return "\(folder)/\(library)"
            }
        }
        throw LoadError(description: "ONNX Runtime not found: pass its path, set CAIRN_ONNXRUNTIME_LIB, or `pip install onnxruntime`")
    }

    /// Throws the status's message (and releases it) when `status` is an error.
    static func check(_ api: UnsafePointer<OrtApi>, _ status: OpaquePointer?) throws {
        guard let status else { return }
        let message = api.pointee.GetErrorMessage(status).map { String(cString: $0) } ?? "unknown ONNX Runtime error"
        api.pointee.ReleaseStatus(status)
        throw OnnxError(message: message)
    }

    func check(_ status: OpaquePointer?) throws { try Self.check(api, status) }
}

/// An error reported by ONNX Runtime.
public struct OnnxError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
