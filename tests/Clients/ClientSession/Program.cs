// A scripted session through each client generated from the served OpenAPI document: the same steps, each through the
// generated client's typed methods, one line of facts per step. GeneratedClientTests runs it against a real server and
// compares the lines with what the server answers to plain HTTP.
//
// Usage: dotnet run -- <base url> <editor key> [kiota|nswag ...]

using ClientSession;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ClientSession <base url> <editor key> [kiota|nswag ...]");
    return 2;
}

var baseUrl = args[0].TrimEnd('/');
var key = args[1];
var clients = args.Length > 2 ? args[2..] : ["kiota", "nswag"];
foreach (var client in clients)
{
    void Say(string line) => Console.WriteLine($"{client} {line}");
    switch (client)
    {
        case "kiota":
            await KiotaSession.RunAsync(baseUrl, key, Say);
            break;
        case "nswag":
            await NSwagSession.RunAsync(baseUrl, key, Say);
            break;
        default:
            Console.Error.WriteLine($"unknown client '{client}'");
            return 2;
    }

    Say("done");
}

return 0;
