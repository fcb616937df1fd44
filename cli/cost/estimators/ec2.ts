/**
 * EC2: instances bill per hour while running, their EBS volumes per GB-month while they exist, NAT
 * gateways per hour. An instance that terminates on shutdown and schedules its own shutdown in its
 * user data (`shutdown -h +<minutes>`, literal or through a shell variable) is a one-off run bounded
 * by that time (and costs nothing idle: it has terminated); any other instance runs all month.
 */
import { hourly, Prices, unitPrice } from "../prices";
import { CostResource, num, str } from "../resource-index";
import { always, CostItem, figures, itemOf, NO_PRICE } from "../types";
import { hoursText } from "./training";

export function instance(r: CostResource, _index: unknown, prices: Prices): CostItem {
  const type = str(r.inputs.instanceType);
  const rate = hourly(prices.ec2.instanceHourly, type);
  const month = prices.assumptions.hoursPerMonth.value;
  const limitMinutes =
    r.inputs.instanceInitiatedShutdownBehavior === "terminate"
      ? scheduledShutdownMinutes(userData(r))
      : undefined;
  const hours = limitMinutes !== undefined ? limitMinutes / 60 : month;
  const volume = r.inputs.rootBlockDevice ?? {};
  const gb = num(volume.volumeSize);
  const gbMonth = (prices.ec2.ebsGbMonth as Record<string, number>)[str(volume.volumeType) ?? "gp3"];
  const storage = gb !== undefined && gbMonth !== undefined ? gb * gbMonth * (hours / month) : 0;
  const when =
    limitMinutes !== undefined
      ? `one run, max ${hoursText(hours)} (scheduled shutdown; terminates on shutdown)`
      : `${month} h (runs all month)`;
  if (rate === undefined)
    return {
      ...itemOf(r),
      description: `EC2 ${type ?? "(unknown type)"}: no price in the price list`,
      ...NO_PRICE,
    };
  const run = rate * hours + storage;
  return {
    ...itemOf(r),
    description:
      `EC2 ${type} x ${when} at ${unitPrice(rate)}/h${gb !== undefined ? ` + ${gb} GB root volume` : ""}` +
      (limitMinutes !== undefined ? "; idle: terminated" : ""),
    ...(limitMinutes !== undefined ? figures(run, 0, run) : always(run)),
  };
}

export function volume(r: CostResource, _index: unknown, prices: Prices): CostItem {
  const gb = num(r.inputs.size);
  const kind = str(r.inputs.type) ?? "gp3";
  const rate = (prices.ec2.ebsGbMonth as Record<string, number>)[kind];
  if (gb === undefined || rate === undefined)
    return { ...itemOf(r), description: `EBS ${kind} volume: no price in the price list`, ...NO_PRICE };
  return {
    ...itemOf(r),
    description: `EBS ${kind} ${gb} GB at ${unitPrice(rate)}/GB-month`,
    ...always(gb * rate),
  };
}

export function natGateway(r: CostResource, _index: unknown, prices: Prices): CostItem {
  const hours = prices.assumptions.hoursPerMonth.value;
  const rate = prices.ec2.natGatewayHourly;
  return {
    ...itemOf(r),
    description: `NAT gateway x ${hours} h at ${unitPrice(rate)}/h (plus data processed)`,
    ...always(rate * hours),
  };
}

function userData(r: CostResource): string {
  const plain = str(r.inputs.userData);
  if (plain) return plain;
  const b64 = str(r.inputs.userDataBase64);
  return b64 ? Buffer.from(b64, "base64").toString("utf8") : "";
}

/** `shutdown -h +240`, `shutdown -h "+$LIMIT"` with `LIMIT=240` assigned in the script. */
export function scheduledShutdownMinutes(script: string): number | undefined {
  const m = /\bshutdown\s+(?:-[hP]\s+)?["']?\+(\d+|\$\{?(\w+)\}?)/.exec(script);
  if (!m) return undefined;
  if (!m[2]) return Number(m[1]);
  const assigned = new RegExp(`(?:^|\\s)${m[2]}=["']?(\\d+)`, "m").exec(script);
  return assigned ? Number(assigned[1]) : undefined;
}
