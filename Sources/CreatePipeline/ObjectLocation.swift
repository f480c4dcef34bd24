/// Where an object sits in the body, to name its properties in error targets.
/// The schema nests objects only directly under the root, so these three cases are all.
enum ObjectLocation {
    case root
    /// The object is the value of a root property (`vendorInformation`).
    case rootProperty(StaticString)
    /// The object is an item of a root collection (`accounts[3]`).
    case rootCollectionItem(StaticString, index: Int)

    /// The path of this object itself (nil for the root).
    var path: String? {
        switch self {
        case .root: nil
        case .rootProperty(let name): name.description
        case .rootCollectionItem(let name, let index): "\(name)[\(index)]"
        }
    }

    /// The path of this object's member `name`, e.g. `accounts[0].lastSeenDateTime`.
    func path(_ name: String) -> String {
        guard let prefix = path else { return name }
        return prefix + "." + name
    }

    /// The path of item `index` of this object's collection member `name`, e.g. `tags[2]`.
    func path(_ name: String, index: Int) -> String {
        path(name) + "[\(index)]"
    }
}
