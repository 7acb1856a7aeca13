using Timeline.Model.Store;

namespace Timeline.Api.Operations;

/// <summary>The store's view of the current request: its RequestAborted (timed out, or its client went away).</summary>
public sealed class RequestCancellation(IHttpContextAccessor requests) : IAmbientCancellation
{
    public CancellationToken Current
    {
        get
        {
            try
            {
                return requests.HttpContext?.RequestAborted ?? CancellationToken.None;
            }
            catch (ObjectDisposedException)
            {
                // The request is over and its context recycled.
                return CancellationToken.None;
            }
        }
    }
}
