import { Anchor, type AnchorProps, Button, type ButtonProps, Menu, type MenuItemProps, NavLink, type NavLinkProps } from '@mantine/core';
import { createLink, type LinkComponent } from '@tanstack/react-router';
import { type AnchorHTMLAttributes, forwardRef } from 'react';

/*
 * Mantine components as typed router links: `to` and `params` are checked against the route tree, the
 * href is real (opens in a new tab on ctrl/cmd/middle click) and a plain click navigates without reload.
 */

type AnchorAttributes = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'color' | 'style'>;

const AnchorBase = forwardRef<HTMLAnchorElement, AnchorProps & AnchorAttributes>((props, ref) => <Anchor ref={ref} {...props} />);
const ButtonBase = forwardRef<HTMLAnchorElement, ButtonProps & AnchorAttributes>((props, ref) => <Button component="a" ref={ref} {...props} />);
const NavLinkBase = forwardRef<HTMLAnchorElement, NavLinkProps & Omit<AnchorAttributes, keyof NavLinkProps>>((props, ref) => (
  <NavLink component="a" ref={ref} {...props} />
));
const MenuItemBase = forwardRef<HTMLAnchorElement, MenuItemProps & AnchorAttributes>((props, ref) => <Menu.Item component="a" ref={ref} {...props} />);

const CreatedAnchor = createLink(AnchorBase);
const CreatedButton = createLink(ButtonBase);
const CreatedNavLink = createLink(NavLinkBase);
const CreatedMenuItem = createLink(MenuItemBase);

/** @example <AnchorLink to="/incidents/$incidentId" params={{ incidentId }}>INC-1</AnchorLink> */
export const AnchorLink: LinkComponent<typeof AnchorBase> = (props) => <CreatedAnchor {...props} />;
/** @example <ButtonLink to="/contacts/new">New</ButtonLink> */
export const ButtonLink: LinkComponent<typeof ButtonBase> = (props) => <CreatedButton {...props} />;
export const NavLinkLink: LinkComponent<typeof NavLinkBase> = (props) => <CreatedNavLink {...props} />;
export const MenuItemLink: LinkComponent<typeof MenuItemBase> = (props) => <CreatedMenuItem {...props} />;
