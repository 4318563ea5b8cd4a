/// The search box above a table: a GET form, so every filtered view has its own URL.
enum FilterForm {
    static func render(into html: inout HTMLWriter, action: String, value: String, placeholder: String, hidden: [(name: String, value: String)] = []) {
        html.element("form", ["class": "filter", "method": "get", "action": action]) { form in
            form.void("input", ["type": "text", "name": "filter", "value": value, "placeholder": placeholder, "aria-label": "Filter"])
            for (name, value) in hidden {
                form.void("input", ["type": "hidden", "name": name, "value": value])
            }
            form.element("button", ["type": "submit"], text: "Search")
        }
    }
}
