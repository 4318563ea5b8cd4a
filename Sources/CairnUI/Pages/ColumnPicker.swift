/// The runs table's column chooser: a disclosure with a checkbox per metric, param and tag,
/// submitted as `col=` fields of a GET form so the chosen view is a URL (no script needed).
enum ColumnPicker {
    static func render(into html: inout HTMLWriter, action: String, available: [RunColumn], chosen: Set<RunColumn>,
                       hidden: [(name: String, value: String)]) {
        guard !available.isEmpty else { return }
        html.element("details", ["class": "columns"]) { details in
            details.element("summary", text: "Columns (\(chosen.count) of \(available.count))")
            details.element("form", ["method": "get", "action": action, "class": "columns"]) { form in
                for (name, value) in hidden { form.void("input", ["type": "hidden", "name": name, "value": value]) }
                // Submitted even with every box unchecked, so that reads as "no columns", not "defaults".
                form.void("input", ["type": "hidden", "name": "col", "value": ""])
                for kind in RunColumn.Kind.allCases {
                    let columns = available.filter { $0.kind == kind }
                    guard !columns.isEmpty else { continue }
                    form.element("fieldset") { fieldset in
                        fieldset.element("legend", text: kind.title)
                        for column in columns {
                            fieldset.element("label") { label in
                                label.void("input", ["type": "checkbox", "name": "col", "value": column.spec,
                                                     "checked": chosen.contains(column) ? "" : nil])
                                label.text(column.key)
                            }
                        }
                    }
                }
                form.element("button", ["type": "submit"], text: "Show columns")
            }
        }
    }
}
