import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Signals to a child's process group (its id is the pid of the process that leads it): a pipeline
/// step and everything it started, or a replica's external runtime.
public enum ProcessGroup {
    public static func kill(_ group: pid_t, signal: Int32) {
        _ = Glibc.kill(-group, signal)
    }

    /// Whether any process of the group is still running. Read from /proc rather than with
    /// `kill(-group, 0)`, which also counts zombies: in a container whose init never reaps, an
    /// orphaned step that ended would otherwise look alive forever.
    public static func isAlive(_ group: pid_t) -> Bool {
        guard Glibc.kill(-group, 0) == 0, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return false }
        for entry in entries where entry.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm) ": state, ppid, pgrp, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, fields[2] == String(group), fields[0] != "Z", fields[0] != "X" { return true }
        }
        return false
    }

    /// SIGTERM to the whole group, then SIGKILL to whatever is left after `grace`.
    public static func terminate(_ group: pid_t, grace: Duration) async {
        kill(group, signal: SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while clock.now < deadline, isAlive(group) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(group, signal: SIGKILL)
    }

    /// The process group of a live process whose command line contains `text` (a step's unique
    /// exit-code path), found through /proc: a step launched just before a crash, whose pid was
    /// never recorded.
    public static func find(commandLineContaining text: String) -> pid_t? {
        findAll { $0.contains(text) }.first
    }

    /// The process groups of every live process whose arguments satisfy `matches`.
    public static func findAll(where matches: ([String]) -> Bool) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var groups: [pid_t] = []
        for entry in entries {
            guard let pid = pid_t(entry),
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if matches(arguments) {
                let group = getpgid(pid)
                if group > 0, !groups.contains(group) { groups.append(group) }
            }
        }
        return groups
    }
}
