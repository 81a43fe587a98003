using System.Globalization;
using Clickstream.Api.Configuration;
using Clickstream.ServiceDefaults.Configuration;
using Clickstream.Consumers.Hosting;
using Clickstream.Contracts;
using Clickstream.Kafka;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Clickstream.Api.Publishing;

/// <summary>The MassTransit bus with the Kafka rider's <c>ClickEvent</c> producer, and the publisher on top of it.</summary>
internal static class ClickEventPublishing
{
    /// <param name="hostConsumers">Also run the consumers that store events on this bus (the standalone run).</param>
    public static IHostApplicationBuilder AddClickEventPublishing(this IHostApplicationBuilder builder, bool hostConsumers)
    {
        // The bus is configured once, at registration: the topic and the message timeout are read here. The cluster
        // address is resolved later, from the validated options, so something that fills Kafka:BootstrapServers in
        // (a post-configure step starting an embedded broker, say) can do so after registration.
        var kafka = builder.Configuration.GetSection(KafkaOptions.Section).Get<KafkaOptions>() ?? new KafkaOptions();
        var publishing = builder.Configuration.GetSection(PublishOptions.Section).Get<PublishOptions>() ?? new PublishOptions();

        builder.Services.AddMassTransit(x =>
        {
            x.UsingInMemory();
            x.AddRider(rider =>
            {
                rider.AddProducer<ClickEvent>(kafka.Topic, p =>
                {
                    p.Key = e => e.UserId.ToString(CultureInfo.InvariantCulture);
                    // librdkafka would otherwise keep retrying for 5 minutes an event whose client was told to retry.
                    p.ProducerSettings["message.timeout.ms"] =
                        ((int)publishing.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
                    // Out of range is reported by the options' validation at start, naming the setting.
                    if (publishing.ProducerRebuildDelay >= TimeSpan.Zero && publishing.ProducerRebuildDelay <= TimeSpan.FromMinutes(10))
                    {
                        p.RebuildDelay = publishing.ProducerRebuildDelay;
                    }
                });
                if (hostConsumers)
                {
                    rider.AddClickEventIngestion();
                }
                rider.UsingKafka((context, k) =>
                {
                    if (hostConsumers)
                    {
                        IngestionRegistration.ReportInvalidOptions(context);
                    }
                    k.Host(context.GetRequiredService<IOptions<KafkaOptions>>().Value.ToClusterConfig());
                    if (hostConsumers)
                    {
                        k.ClickEventIngestionEndpoint(context);
                    }
                });
            });
        });
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        builder.Services.AddScoped<ClickEventPublisher>();
        builder.Services.AddSingleton<ConsumerLagGuard>();
        return builder;
    }
}
