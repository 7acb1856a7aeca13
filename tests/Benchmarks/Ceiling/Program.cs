// A bare Kestrel app: every GET gets the same 20 KB body, with no routing beyond one endpoint, no logging and no
// middleware. What wrk measures against it is what this machine, its loopback and wrk itself allow, so that the
// API's figures from different days and machines can be read against the ceiling of the day.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var body = new byte[20 * 1024];
Array.Fill(body, (byte)'x');
app.MapGet("/", async context =>
{
    context.Response.ContentType = "text/plain";
    context.Response.ContentLength = body.Length;
    await context.Response.Body.WriteAsync(body, context.RequestAborted);
});

await app.RunAsync();
