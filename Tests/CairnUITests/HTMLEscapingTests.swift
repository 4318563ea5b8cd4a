import Testing
@testable import CairnUI

@Suite("HTML escaping")
struct HTMLEscapingTests {
    @Test("Script payloads become inert text")
    func scripts() {
        #expect(HTMLEscaping.text("<script>alert('x')</script>") == "&lt;script&gt;alert('x')&lt;/script&gt;")
        #expect(HTMLEscaping.attribute("\" onmouseover=\"alert(1)") == "&quot; onmouseover=&quot;alert(1)")
        #expect(HTMLEscaping.attribute("it's & <b>") == "it&#39;s &amp; &lt;b&gt;")
    }

    @Test("Plain and non-ASCII text is unchanged")
    func plain() {
        #expect(HTMLEscaping.text("run-42 ✓ naïve") == "run-42 ✓ naïve")
        #expect(HTMLEscaping.text("") == "")
    }
}
