/**
 * SageMaker notebook instances bill per hour while InService, plus their ML storage volume for the
 * whole month. With an idle-stop lifecycle script attached (on-start or on-create script that calls
 * StopNotebookInstance), the estimate assumes working hours (prices file: notebookHoursWithIdleStop)
 * and, idle, a stopped instance (its volume only); without one, the notebook runs all month, idle
 * or not. At maximum it runs all month.
 */
import { hourly, Prices, unitPrice } from "../prices";
import { CostResource, num, ResourceIndex, str } from "../resource-index";
import { CostItem, figures, itemOf, NO_PRICE } from "../types";

const LIFECYCLE =
  "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration";

export function notebookInstance(r: CostResource, index: ResourceIndex, prices: Prices): CostItem {
  const type = str(r.inputs.instanceType);
  const rate = hourly(prices.sagemaker.notebookInstanceHourly, type);
  const lifecycle = index.referenced(r, "lifecycleConfigName", LIFECYCLE, "name");
  const idleStop = lifecycle ? idleStopMinutes(lifecycle) : undefined;
  const month = prices.assumptions.hoursPerMonth.value;
  const hours = idleStop !== undefined ? prices.assumptions.notebookHoursWithIdleStop.value : month;
  const volumeGb = num(r.inputs.volumeSize) ?? 5; // SageMaker's default volume
  const storage = volumeGb * prices.sagemaker.mlStorageGbMonth;
  const running =
    idleStop !== undefined
      ? `~${hours} h (idle stop${idleStop > 0 ? ` after ${idleStop} min` : ""}; assumes 8 h x 22 workdays)`
      : `${hours} h (no idle stop: runs all month)`;
  if (rate === undefined)
    return {
      ...itemOf(r),
      description: `notebook ${type ?? "(unknown type)"}: no price in the price list`,
      ...NO_PRICE,
    };
  return {
    ...itemOf(r),
    description:
      `notebook ${type} x ${running} at ${unitPrice(rate)}/h + ${volumeGb} GB ML storage` +
      (idleStop !== undefined ? "; idle: stopped (its volume only)" : ""),
    ...figures(
      rate * hours + storage,
      idleStop !== undefined ? storage : rate * month + storage,
      rate * month + storage,
    ),
  };
}

/** Minutes of the idle-stop script (0 when present but unreadable), undefined when there is none. */
function idleStopMinutes(lifecycle: CostResource): number | undefined {
  const script = ["onStart", "onCreate"]
    .map((k) => str(lifecycle.inputs[k]))
    .filter((s): s is string => s !== undefined)
    .map((s) => Buffer.from(s, "base64").toString("utf8"))
    .join("\n");
  if (!/stop-notebook-instance|StopNotebookInstance/i.test(script)) return undefined;
  const minutes = /IDLE(?:_|-)?(?:MINUTES|TIME)\w*\s*=\s*"?(\d+)/i.exec(script);
  return minutes ? Number(minutes[1]) : 0;
}
