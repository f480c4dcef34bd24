import CreatePipeline

/// The API page's example bodies (copies of `/work/shared/spec/examples/`), kept as literals
/// so the tests need no bundle resources.
enum Fixtures {
    /// The page's example request body.
    static let exampleRequest = ##"""
        {
          "@odata.type": "#microsoft.graph.userSecurityProfile",
          "accounts": [
            {
              "@odata.type": "microsoft.graph.userAccount",
              "displayName": "Display Name value",
              "lastSeenDateTime": "2016-12-31T23:58:05.5931807+03:00",
              "riskScore": "Risk Score value",
              "service": "Service value",
              "signinName": "Signin Name value",
              "status": "String"
            }
          ],
          "azureSubscriptionId": "Azure Subscription Id value",
          "azureTenantId": "Azure Tenant Id value",
          "displayName": "Display Name value",
          "riskScore": "Risk Score value",
          "tags": [
            "Tags value"
          ],
          "userPrincipalName": "User Principal Name value",
          "vendorInformation": {
            "@odata.type": "microsoft.graph.securityVendorInformation",
            "provider": "Provider value",
            "providerVersion": "Provider Version value",
            "subProvider": "Sub Provider value",
            "vendor": "Vendor value"
          }
        }
        """##

    /// The page's example `201` response body.
    static let exampleResponse = ##"""
        {
          "@odata.type": "#microsoft.graph.userSecurityProfile",
          "id": "e9107a0b-7a0b-e910-0b7a-10e90b7a10e9",
          "accounts": [
            {
              "@odata.type": "microsoft.graph.userAccount",
              "displayName": "Display Name value",
              "lastSeenDateTime": "2016-12-31T23:58:05.5931807+03:00",
              "riskScore": "Risk Score value",
              "service": "Service value",
              "signinName": "Signin Name value",
              "status": "String"
            }
          ],
          "azureSubscriptionId": "Azure Subscription Id value",
          "azureTenantId": "Azure Tenant Id value",
          "createdDateTime": "2017-01-01T00:00:46.1697867+03:00",
          "displayName": "Display Name value",
          "lastModifiedDateTime": "2016-12-31T23:58:46.8102575+03:00",
          "riskScore": "Risk Score value",
          "tags": [
            "Tags value"
          ],
          "userPrincipalName": "User Principal Name value",
          "vendorInformation": {
            "@odata.type": "microsoft.graph.securityVendorInformation",
            "provider": "Provider value",
            "providerVersion": "Provider Version value",
            "subProvider": "Sub Provider value",
            "vendor": "Vendor value"
          }
        }
        """##

    static var exampleRequestBytes: [UInt8] { Array(exampleRequest.utf8) }
}
