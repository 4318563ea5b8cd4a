import CairnCore

/// What a page shows instead of itself when the request cannot be served (unknown run, bad
/// query): the message in the site's frame, so the user keeps the navigation and back button.
enum ErrorPage {
    static func render(_ error: CairnError) -> String {
        let title = error.httpStatus == 404 ? "Not found" : error.httpStatus < 500 ? "Bad request" : "Something went wrong"
        return PageLayout.render(title: title, crumbs: [.init(title: "Experiments", href: "/"), .init(title: title, href: nil)]) { main in
            main.element("h1", text: title)
            main.element("p", ["class": "error", "role": "alert", "data-error-code": error.code.rawValue], text: error.message)
        }
    }
}
