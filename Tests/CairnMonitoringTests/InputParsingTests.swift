import CairnCore
import CairnMonitoring
import Foundation
import Testing

@Suite("Reading drift inputs: CSV files and logged requests")
struct InputParsingTests {
    @Test("CSV: numbers stay numbers, a column with any text is categorical, quotes and blank lines are handled")
    func csv() throws {
        let text = "age,plan,note\r\n41,pro,\"a, b\"\n29,free,\"say \"\"hi\"\"\"\n\n35,3,x\n"
        let table = try CSVColumns(data: Data(text.utf8))
        #expect(table.names == ["age", "plan", "note"] && table.rowCount == 3)
        guard case .numerical(let ages) = table.columns[0], case .categorical(let plans) = table.columns[1], case .categorical(let notes) = table.columns[2] else {
            Issue.record("wrong column kinds: \(table.columns)"); return
        }
        #expect(ages == [41, 29, 35] && plans == ["pro", "free", "3"] && notes == ["a, b", "say \"hi\"", "x"])
        #expect(throws: CairnError.invalidParameter("the CSV, line 3: 1 values for 2 columns.")) { try CSVColumns(data: Data("a,b\n1,2\n3\n".utf8)) }
    }

    @Test("CSV of several megabytes, read in parts on every core: the same columns and rows as line by line, text late in the file makes the column categorical, a bad line is named")
    func csvInParts() throws {
        // 120,000 rows: x a 17-digit decimal, n an integer until row 100,000 is "many", c text, v
        // "n/a" in its second row and then "0.0" or "1.0" (which count as "0" and "1" in every part).
        var lines = ["x,n,c,v"]
        var xs: [Double] = [], ns: [String] = []
        for row in 0..<120_000 {
            let x = Double(row) * 0.123456789012345 - 5_000
            let n = row == 100_000 ? "many" : String(row % 7)
            xs.append(x)
            ns.append(n)
            lines.append("\(x),\(n),c\(row % 3),\(row == 1 ? "n/a" : "\(row % 2).0")")
        }
        let text = lines.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 2 << 20)
        let table = try CSVColumns(data: Data(text.utf8))
        #expect(table.rowCount == 120_000)
        guard case .numerical(let readXs) = table.columns[0], case .categorical(let readNs) = table.columns[1], case .categorical(let cs) = table.columns[2],
              case .categorical(let vs) = table.columns[3] else {
            Issue.record("wrong column kinds"); return
        }
        #expect(readXs == xs)
        #expect(readNs == CategoryCounts(ns) && readNs["many"] == 1 && readNs["6"] == 17_142)
        #expect(cs == CategoryCounts((0..<120_000).map { "c\($0 % 3)" }))
        #expect(vs == CategoryCounts(counts: ["n/a": 1, "0": 60_000, "1": 59_999]))
        var broken = lines
        broken[110_000] = "1,2"
        #expect(throws: CairnError.invalidParameter("big.csv, line 110001: 2 values for 4 columns.")) {
            try CSVColumns(data: Data((broken.joined(separator: "\n") + "\n").utf8), source: "big.csv")
        }
    }

    @Test("Logged requests: V2 tensors by position, MLflow dataframe_split by name, instances; predictions from the label output")
    func loggedRequests() throws {
        let v2 = try #require(LoggedRequest(inputs: #"{"inputs": [{"name": "X", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2, 3], [4, 5, 6]]}]}"#,
                                            outputs: #"{"model_name": "m", "outputs": [{"name": "probabilities", "data": [0.1, 0.9, 0.8, 0.2]}, {"name": "label", "data": [1, 0]}]}"#))
        #expect(v2.columns == .positional && v2.rows == [[.number(1), .number(2), .number(3)], [.number(4), .number(5), .number(6)]])
        #expect(v2.predictions == [.number(1), .number(0)])
        let split = try #require(LoggedRequest(inputs: #"{"dataframe_split": {"columns": ["age", "plan"], "data": [[41, "pro"]]}}"#,
                                               outputs: #"{"predictions": [{"label": 1, "p": 0.7}]}"#))
        #expect(split.columns == .named(["age", "plan"]) && split.rows == [[.number(41), .text("pro")]] && split.predictions == [.number(1)])
        let instances = try #require(LoggedRequest(inputs: #"{"instances": [[1.5, true]]}"#, outputs: #"{"predictions": [0, 1]}"#))
        #expect(instances.rows == [[.number(1.5), .text("true")]] && instances.predictions == nil)  // two predictions for one row: not used
        #expect(LoggedRequest(inputs: "not json", outputs: "") == nil)
    }
}
