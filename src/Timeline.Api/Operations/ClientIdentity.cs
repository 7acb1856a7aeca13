using System.Net;
using System.Net.Sockets;

namespace Timeline.Api.Operations;

/// <summary>
/// Who a request comes from, for limits kept per client (rate limits, export slots): the name of its API key when it
/// sends a valid one, otherwise its address (the peer's, or the one a trusted proxy forwarded). An IPv6 address counts
/// by its /64 network, the block one host or subscriber is given, so rotating through its 2^64 addresses gains
/// nothing; an IPv4 address mapped into IPv6 counts as the IPv4 address.
/// </summary>
public static class ClientIdentity
{
    public static string Of(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true
            ? "key:" + context.User.Identity.Name
            : "ip:" + AddressOf(context.Connection.RemoteIpAddress);

    private static string AddressOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
