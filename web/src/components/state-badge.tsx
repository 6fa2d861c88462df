/** A run's or an approval's state as a coloured, readable badge. */
export function StateBadge(props: { state: string; label?: string }) {
  return (
    <span class={`badge state-${props.state}`} data-state={props.state}>
      {props.label ? `${props.label}: ` : ''}
      {props.state}
    </span>
  );
}
