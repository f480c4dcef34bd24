import CreatePipeline
import Testing

/// The created entity names its tenant and vendor, decoded, for an authorization step.
@Suite struct CreatedEntityOwnerTests {
    @Test func theExamplesTenantAndVendorAreExposed() {
        let entity = TestSupport.entity(Fixtures.exampleRequest)
        #expect(entity?.azureTenantId == "Azure Tenant Id value")
        #expect(entity?.vendor == "Vendor value")
    }

    @Test func escapedValuesAreDecoded() {
        let body = Fixtures.exampleRequest
            .replacingOccurrences(of: #""Azure Tenant Id value""#, with: #""t\u0065nant\/A""#)
            .replacingOccurrences(of: #""Vendor value""#, with: #""Cont\u00f6so \"Labs\"""#)
        let entity = TestSupport.entity(body)
        #expect(entity?.azureTenantId == "tenant/A")
        #expect(entity?.vendor == #"Contöso "Labs""#)
    }

    @Test func aNullOrAbsentVendorIsNil() {
        let nullVendor = Fixtures.exampleRequest.replacingOccurrences(of: #""Vendor value""#, with: "null")
        #expect(TestSupport.entity(nullVendor)?.vendor == nil)
        let noVendor = Fixtures.exampleRequest.replacing(#/,\s*"vendor": "Vendor value"/#, with: "")
        #expect(noVendor != Fixtures.exampleRequest)
        #expect(TestSupport.entity(noVendor)?.vendor == nil)
        let noVendorInformation = Fixtures.exampleRequest.replacing(
            #/"vendorInformation": \{[^}]*\}/#, with: #""vendorInformation": null"#)
        #expect(noVendorInformation != Fixtures.exampleRequest)
        let entity = TestSupport.entity(noVendorInformation)
        #expect(entity?.vendor == nil)
        #expect(entity?.azureTenantId == "Azure Tenant Id value")
    }
}
