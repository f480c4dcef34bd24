import Hummingbird

/// Answers in Graph's shape what the router could not route: a POST on the collection
/// written in another case goes to the endpoint; another method on the collection gets
/// 405; any other path gets 404.
///
/// Hummingbird's router answers an unknown path, and a known path with an unknown method,
/// by throwing `HTTPError(.notFound)` through its middleware; this catches exactly that.
struct GraphFallbackMiddleware<Context: RequestContext>: RouterMiddleware {
    let endpoint: UserSecurityProfilesEndpoint

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard UserSecurityProfilesEndpoint.isCollectionPath(request.uri.path) else {
                return endpoint.notFound(request)
            }
            if request.method == .post {
                return await endpoint.create(request, logger: context.logger)
            }
            return endpoint.methodNotAllowed(request)
        }
    }
}
