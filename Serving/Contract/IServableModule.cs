using System.ComponentModel;

namespace Volt.Serving;

/// <summary>
/// A module with a generated HTTP contract (<see cref="ServeAttribute"/>): <see cref="Server"/> serves it
/// through the endpoint it creates. Implemented by generated code only.
/// </summary>
public interface IServableModule
{
    /// <summary>Creates the generated endpoint that decodes requests, runs the <c>[PredictStep]</c> and encodes its answers.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    ServingEndpoint CreateServingEndpoint();
}
